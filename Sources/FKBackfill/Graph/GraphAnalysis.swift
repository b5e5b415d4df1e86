/// The algorithms behind `DependencyGraph`: strongly connected components (Tarjan,
/// iterative so a deep schema cannot overflow the stack), a deterministic topological
/// order of the components, longest-path depth, and cycle breaking.
struct GraphAnalysis {
    typealias Edge = DependencyGraph.Edge

    var order: [TableName] = []
    var depth: [TableName: Int] = [:]
    var cycles: [DependencyGraph.Cycle] = []

    init(nodes: Set<TableName>, edges: [Edge]) {
        let names = nodes.sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var successors = [[Int]](repeating: [], count: names.count)
        // An edge between tables outside `nodes` has no place in the graph: skipped.
        for edge in edges {
            guard let from = index[edge.from], let to = index[edge.to] else { continue }
            successors[from].append(to)
        }

        let components = Self.stronglyConnectedComponents(count: names.count, successors: successors)
        var componentOf = [Int](repeating: 0, count: names.count)
        for (number, members) in components.enumerated() { for node in members { componentOf[node] = number } }

        // Component DAG, child → parent. A component is ready once all its parents are out.
        var parents = [Set<Int>](repeating: [], count: components.count)
        var children = [Set<Int>](repeating: [], count: components.count)
        for (node, targets) in successors.enumerated() {
            for target in targets where componentOf[node] != componentOf[target] {
                parents[componentOf[node]].insert(componentOf[target])
                children[componentOf[target]].insert(componentOf[node])
            }
        }
        // Ties go to the component whose smallest member sorts first, so the order is stable.
        // (Tarjan's components are never empty; an empty one would sort first.)
        let key = components.map { $0.min() ?? Int.min }
        var waiting = parents.map(\.count)
        var ready = MinHeap(keys: key)
        for component in 0..<components.count where waiting[component] == 0 { ready.push(component) }
        var componentOrder: [Int] = []
        while let next = ready.pop() {
            componentOrder.append(next)
            for child in children[next] {
                waiting[child] -= 1
                if waiting[child] == 0 { ready.push(child) }
            }
        }

        // Depth: longest path from the root (the only component without children),
        // walking children before parents.
        var componentDepth = [Int](repeating: 0, count: components.count)
        for component in componentOrder.reversed() {
            for parent in parents[component] {
                componentDepth[parent] = max(componentDepth[parent], componentDepth[component] + 1)
            }
        }

        var innerEdges = [[Edge]](repeating: [], count: components.count)
        for edge in edges {
            guard let fromIndex = index[edge.from], let toIndex = index[edge.to] else { continue }
            let from = componentOf[fromIndex]
            if from == componentOf[toIndex] { innerEdges[from].append(edge) }
        }
        for component in componentOrder {
            let members = components[component].map { names[$0] }
            let inner = innerEdges[component]
            if members.count == 1 && inner.isEmpty {
                order.append(members[0])
            } else {
                let cycle = Self.analyseCycle(members: members.sorted(), edges: inner)
                order.append(contentsOf: cycle.tables)
                cycles.append(cycle)
            }
            for member in members { depth[member] = componentDepth[component] }
        }
    }

    /// Finds a minimal set of breakable edges whose removal leaves the cycle acyclic:
    /// remove every breakable edge, then put each back (in a fixed order) unless that
    /// closes a cycle again. What is left out cannot be kept, so none is wasted.
    static func analyseCycle(members: [TableName], edges: [Edge]) -> DependencyGraph.Cycle {
        let selfReference = members.count == 1
        let breakable = edges.filter(\.breakable)
        var kept = edges.filter { !$0.breakable }
        guard isAcyclic(members: members, edges: kept) else {
            return DependencyGraph.Cycle(tables: members, isSelfReference: selfReference, breakable: false, breakAt: [])
        }
        var broken: [Edge] = []
        for edge in breakable {
            if !edge.isSelfLoop && isAcyclic(members: members, edges: kept + [edge]) {
                kept.append(edge)
            } else {
                broken.append(edge)
            }
        }
        return DependencyGraph.Cycle(
            tables: topologicalOrder(members: members, edges: kept) ?? members,
            isSelfReference: selfReference, breakable: true, breakAt: broken)
    }

    static func isAcyclic(members: [TableName], edges: [Edge]) -> Bool {
        topologicalOrder(members: members, edges: edges) != nil
    }

    /// Parents first with name order for ties; nil when `edges` still hold a cycle.
    static func topologicalOrder(members: [TableName], edges: [Edge]) -> [TableName]? {
        var waiting = Dictionary(uniqueKeysWithValues: members.map { ($0, 0) })
        var children: [TableName: [TableName]] = [:]
        for edge in edges {
            waiting[edge.from, default: 0] += 1
            children[edge.to, default: []].append(edge.from)
        }
        var ready = members.filter { waiting[$0] == 0 }.sorted(by: >)
        var result: [TableName] = []
        while let next = ready.popLast() {
            result.append(next)
            for child in children[next] ?? [] {
                waiting[child, default: 0] -= 1
                if waiting[child] == 0 {
                    ready.append(child)
                    ready.sort(by: >)
                }
            }
        }
        return result.count == members.count ? result : nil
    }

    /// Tarjan's algorithm with an explicit stack. Components come out with members sorted.
    static func stronglyConnectedComponents(count: Int, successors: [[Int]]) -> [[Int]] {
        var indexOf = [Int](repeating: -1, count: count)
        var lowLink = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var components: [[Int]] = []
        var nextIndex = 0
        for start in 0..<count where indexOf[start] < 0 {
            var work: [(node: Int, edge: Int)] = [(start, 0)]
            indexOf[start] = nextIndex; lowLink[start] = nextIndex; nextIndex += 1
            stack.append(start); onStack[start] = true
            while var frame = work.popLast() {
                let node = frame.node
                if frame.edge < successors[node].count {
                    let target = successors[node][frame.edge]
                    frame.edge += 1
                    work.append(frame)
                    if indexOf[target] < 0 {
                        indexOf[target] = nextIndex; lowLink[target] = nextIndex; nextIndex += 1
                        stack.append(target); onStack[target] = true
                        work.append((target, 0))
                    } else if onStack[target] {
                        lowLink[node] = min(lowLink[node], indexOf[target])
                    }
                    continue
                }
                if let caller = work.last?.node { lowLink[caller] = min(lowLink[caller], lowLink[node]) }
                if lowLink[node] == indexOf[node] {
                    var component: [Int] = []
                    while let member = stack.popLast() {
                        onStack[member] = false
                        component.append(member)
                        if member == node { break }
                    }
                    components.append(component.sorted())
                }
            }
        }
        return components
    }
}

/// A binary min-heap of indexes ordered by `keys[index]`: the ready set of the
/// topological sort, so a graph of thousands of tables sorts in n log n.
struct MinHeap {
    let keys: [Int]
    private var items: [Int] = []

    init(keys: [Int]) { self.keys = keys }

    mutating func push(_ item: Int) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[items[child]] < keys[items[parent]] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count && keys[items[left]] < keys[items[smallest]] { smallest = left }
                if right < items.count && keys[items[right]] < keys[items[smallest]] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
