/// The shape hostile review 11 found most in: `node` references itself and `p1`, and
/// `p1.tid NOT NULL` references `node`, so a load with new keys of `p1` puts the fact rows
/// first (`TargetCycle.targetFirst`), `c1` NULL, and sets it once `p1` has its rows.
enum TargetFirstCycle {
    static let schema = """
        CREATE TABLE p1 (code text PRIMARY KEY, name text);
        CREATE TABLE node (id int PRIMARY KEY, c1 text REFERENCES p1, up int, CONSTRAINT node_up FOREIGN KEY (up) REFERENCES node (id));
        ALTER TABLE p1 ADD COLUMN tid int, ADD CONSTRAINT p1_tid FOREIGN KEY (tid) REFERENCES node (id);
        INSERT INTO p1 (code, name) VALUES ('K1', 'old');
        INSERT INTO node (id, c1) VALUES (1, 'K1');
        UPDATE p1 SET tid = 1; ALTER TABLE p1 ALTER COLUMN tid SET NOT NULL;
        """
}
