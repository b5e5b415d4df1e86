-- A hand-written subset of a GitLab-style application schema, for the real-schema sweep
-- (Tests/FKBackfillTests/RealSchemaSweepTests.swift, issue #29). Two schemas: s12app (the
-- application) and s12ci (CI); the test renames both to schemas it owns. It expects citext
-- in a schema on search_path (the test creates it in fkb_ext, as StoredTruthTests does) and
-- a session search_path of `s12app, s12ci, fkb_ext, public` (what `ALTER DATABASE … SET
-- search_path` gives an application; the trigger functions below use unqualified names).
CREATE SCHEMA IF NOT EXISTS s12app;
CREATE SCHEMA IF NOT EXISTS s12ci;
SET search_path = s12app, s12ci, fkb_ext, public;

CREATE TYPE namespace_type AS ENUM ('User', 'Group', 'Project');
CREATE TYPE user_state AS ENUM ('active', 'blocked', 'deactivated');
CREATE TYPE mr_state AS ENUM ('opened', 'closed', 'merged', 'locked');
CREATE TYPE s12ci.ci_status AS ENUM ('created', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped');
CREATE DOMAIN sha1 AS varchar(40) CHECK (VALUE ~ '^[0-9a-f]{40}$');
CREATE DOMAIN label_color AS varchar(7) CHECK (VALUE ~ '^#[0-9A-Fa-f]{6}$');
CREATE DOMAIN email_address AS citext CHECK (VALUE LIKE '%_@_%');

-- Counters and internal ids the triggers keep.
CREATE TABLE counters (name text PRIMARY KEY, n bigint NOT NULL DEFAULT 0);
INSERT INTO counters (name) VALUES ('users'), ('projects'), ('groups'), ('issues'), ('merge_requests'), ('notes'),
    ('pipelines'), ('builds'), ('topics'), ('licenses'), ('countries'), ('members'), ('events');
CREATE TABLE internal_ids (project_id bigint NOT NULL, usage smallint NOT NULL, last_value integer NOT NULL,
    PRIMARY KEY (project_id, usage));

CREATE FUNCTION make_slug(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
    $$ SELECT trim(both '-' from lower(regexp_replace(coalesce(t, ''), '[^A-Za-z0-9]+', '-', 'g'))) $$;
CREATE FUNCTION bump(counter text) RETURNS void LANGUAGE plpgsql AS
    $$ BEGIN UPDATE counters SET n = n + 1 WHERE name = counter; END $$;
CREATE FUNCTION next_iid(project bigint, kind smallint) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v integer;
BEGIN
    INSERT INTO internal_ids AS i (project_id, usage, last_value) VALUES (project, kind, 1)
    ON CONFLICT (project_id, usage) DO UPDATE SET last_value = i.last_value + 1
    RETURNING last_value INTO v;
    RETURN v;
END $$;
CREATE FUNCTION render_markdown(src text) RETURNS text LANGUAGE sql IMMUTABLE AS
    $$ SELECT '<p>' || replace(replace(coalesce(src, ''), '<', '&lt;'), E'\n', '<br>') || '</p>' $$;
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;

-- Natural-key reference tables.
CREATE TABLE countries (code char(2) PRIMARY KEY, name text NOT NULL DEFAULT 'unknown');
CREATE FUNCTION countries_normalise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.code := upper(NEW.code); PERFORM bump('countries'); RETURN NEW; END $$;
CREATE TRIGGER countries_normalise BEFORE INSERT ON countries FOR EACH ROW EXECUTE FUNCTION countries_normalise();
CREATE TABLE licenses (spdx_identifier varchar(64) PRIMARY KEY, name text, osi_approved boolean NOT NULL DEFAULT false);
CREATE FUNCTION licenses_normalise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.spdx_identifier := btrim(NEW.spdx_identifier); NEW.name := coalesce(NEW.name, NEW.spdx_identifier);
      PERFORM bump('licenses'); RETURN NEW; END $$;
CREATE TRIGGER licenses_normalise BEFORE INSERT ON licenses FOR EACH ROW EXECUTE FUNCTION licenses_normalise();
CREATE TABLE topics (id bigserial PRIMARY KEY, name citext NOT NULL UNIQUE, title text,
    total_projects_count integer NOT NULL DEFAULT 0 CHECK (total_projects_count >= 0));
CREATE FUNCTION topics_defaults() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.title := coalesce(NEW.title, initcap(NEW.name::text)); PERFORM bump('topics'); RETURN NEW; END $$;
CREATE TRIGGER topics_defaults BEFORE INSERT ON topics FOR EACH ROW EXECUTE FUNCTION topics_defaults();

-- Namespaces (self-reference), users and groups (a cycle).
CREATE TABLE namespaces (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    path varchar(255) NOT NULL,
    type namespace_type NOT NULL DEFAULT 'User',
    parent_id bigint REFERENCES namespaces ON DELETE CASCADE,
    traversal_ids bigint[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz);
CREATE UNIQUE INDEX namespaces_path_root ON namespaces (lower(path)) WHERE parent_id IS NULL;
CREATE UNIQUE INDEX namespaces_path_child ON namespaces (parent_id, lower(path)) WHERE parent_id IS NOT NULL;
CREATE FUNCTION namespaces_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.path := coalesce(NULLIF(NEW.path, ''), make_slug(NEW.name));
    IF NEW.parent_id IS NOT NULL THEN
        SELECT traversal_ids INTO NEW.traversal_ids FROM namespaces WHERE id = NEW.parent_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER namespaces_before BEFORE INSERT ON namespaces FOR EACH ROW EXECUTE FUNCTION namespaces_before();
CREATE FUNCTION namespaces_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE namespaces SET traversal_ids = traversal_ids || NEW.id WHERE id = NEW.id;
    INSERT INTO routes (source_type, source_id, path, name) VALUES ('Namespace', NEW.id, NEW.path || '-' || NEW.id, NEW.name);
    RETURN NULL;
END $$;
CREATE TRIGGER namespaces_after AFTER INSERT ON namespaces FOR EACH ROW EXECUTE FUNCTION namespaces_after();
CREATE TRIGGER namespaces_updated BEFORE UPDATE ON namespaces FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE routes (id bigserial PRIMARY KEY, source_type text NOT NULL, source_id bigint NOT NULL,
    path citext NOT NULL UNIQUE, name text, UNIQUE (source_type, source_id));

CREATE TABLE users (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    username citext NOT NULL UNIQUE,
    email email_address,
    name text,
    state user_state NOT NULL DEFAULT 'active',
    admin boolean NOT NULL DEFAULT false,
    primary_group_id bigint,
    preferences jsonb NOT NULL DEFAULT '{}',
    projects_limit integer NOT NULL DEFAULT 100000 CHECK (projects_limit >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz);
CREATE UNIQUE INDEX users_email ON users (lower(email::text)) WHERE email IS NOT NULL;
CREATE FUNCTION users_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.name := coalesce(NEW.name, NEW.username::text);
    NEW.email := lower(NEW.email::text);
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER users_before BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_before();
CREATE FUNCTION users_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump('users');
    IF NEW.email IS NOT NULL THEN INSERT INTO emails (user_id, email, confirmed_at) VALUES (NEW.id, NEW.email, now()); END IF;
    INSERT INTO user_details (user_id) VALUES (NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER users_after AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_after();

CREATE TABLE groups (
    id bigserial PRIMARY KEY,
    namespace_id bigint NOT NULL UNIQUE REFERENCES namespaces ON DELETE CASCADE,
    owner_id bigint REFERENCES users ON DELETE SET NULL,
    name text NOT NULL,
    visibility_level smallint NOT NULL DEFAULT 0 CHECK (visibility_level IN (0, 10, 20)),
    created_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION groups_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.namespace_id IS NULL THEN
        INSERT INTO namespaces (name, path, type) VALUES (NEW.name, make_slug(NEW.name) || '-g' || NEW.id, 'Group')
        RETURNING id INTO NEW.namespace_id;
    END IF;
    PERFORM bump('groups');
    RETURN NEW;
END $$;
CREATE TRIGGER groups_before BEFORE INSERT ON groups FOR EACH ROW EXECUTE FUNCTION groups_before();
ALTER TABLE users ADD CONSTRAINT users_primary_group FOREIGN KEY (primary_group_id) REFERENCES groups
    ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE emails (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    email email_address NOT NULL UNIQUE, confirmed_at timestamptz);
CREATE TABLE user_details (user_id bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    country_code char(2) REFERENCES countries, bio text NOT NULL DEFAULT '', website_url text);

-- Projects and what hangs off them.
CREATE TABLE projects (
    id bigserial PRIMARY KEY,
    namespace_id bigint NOT NULL REFERENCES namespaces ON DELETE CASCADE,
    creator_id bigint REFERENCES users ON DELETE SET NULL,
    name text NOT NULL,
    path text NOT NULL,
    description text,
    visibility_level smallint NOT NULL DEFAULT 0 CHECK (visibility_level IN (0, 10, 20)),
    archived boolean NOT NULL DEFAULT false,
    star_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz,
    UNIQUE (namespace_id, path));
CREATE FUNCTION projects_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.path := lower(coalesce(NULLIF(NEW.path, ''), make_slug(NEW.name)));
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER projects_before BEFORE INSERT ON projects FOR EACH ROW EXECUTE FUNCTION projects_before();
CREATE FUNCTION projects_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO project_statistics (project_id, namespace_id) VALUES (NEW.id, NEW.namespace_id);
    INSERT INTO routes (source_type, source_id, path, name) VALUES ('Project', NEW.id, 'p/' || NEW.id || '/' || NEW.path, NEW.name);
    PERFORM bump('projects');
    RETURN NULL;
END $$;
CREATE TRIGGER projects_after AFTER INSERT ON projects FOR EACH ROW EXECUTE FUNCTION projects_after();
CREATE TABLE project_statistics (project_id bigint PRIMARY KEY REFERENCES projects ON DELETE CASCADE,
    namespace_id bigint NOT NULL, issues_count integer NOT NULL DEFAULT 0, commit_count bigint NOT NULL DEFAULT 0,
    storage_size bigint NOT NULL DEFAULT 0, repository_size bigint NOT NULL DEFAULT 0,
    total_size bigint GENERATED ALWAYS AS (storage_size + repository_size) STORED);
CREATE TABLE project_topics (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    topic_name citext NOT NULL REFERENCES topics (name) ON UPDATE CASCADE, UNIQUE (project_id, topic_name));
CREATE FUNCTION project_topics_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE topics SET total_projects_count = total_projects_count + 1 WHERE name = NEW.topic_name; RETURN NULL; END $$;
CREATE TRIGGER project_topics_count AFTER INSERT ON project_topics FOR EACH ROW EXECUTE FUNCTION project_topics_count();
CREATE TABLE project_licenses (project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    spdx_identifier varchar(64) NOT NULL REFERENCES licenses, detected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, spdx_identifier));

CREATE TABLE members (
    id bigserial PRIMARY KEY,
    source_type text NOT NULL CHECK (source_type IN ('Project', 'Namespace')),
    source_id bigint NOT NULL,
    user_id bigint REFERENCES users ON DELETE CASCADE,
    access_level integer NOT NULL CHECK (access_level IN (10, 20, 30, 40, 50)),
    requested_at timestamptz,
    invite_email varchar(255),
    created_by_id bigint REFERENCES users ON DELETE SET NULL,
    CHECK (user_id IS NOT NULL OR invite_email IS NOT NULL));
CREATE UNIQUE INDEX members_unique_active ON members (source_type, source_id, user_id) WHERE requested_at IS NULL;
CREATE FUNCTION members_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM bump('members'); RETURN NULL; END $$;
CREATE TRIGGER members_after AFTER INSERT ON members FOR EACH ROW EXECUTE FUNCTION members_after();

CREATE TABLE milestones (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    iid integer, title varchar(255) NOT NULL, state text NOT NULL DEFAULT 'active', due_date date,
    start_date date, CHECK (start_date IS NULL OR due_date IS NULL OR start_date <= due_date), UNIQUE (project_id, iid));
CREATE FUNCTION milestones_iid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.iid IS NULL THEN NEW.iid := next_iid(NEW.project_id, 1::smallint); END IF; RETURN NEW; END $$;
CREATE TRIGGER milestones_iid BEFORE INSERT ON milestones FOR EACH ROW EXECUTE FUNCTION milestones_iid();

CREATE TABLE labels (id bigserial PRIMARY KEY, project_id bigint REFERENCES projects ON DELETE CASCADE,
    title varchar(255) NOT NULL, color label_color NOT NULL DEFAULT '#6699cc', description text,
    UNIQUE (project_id, title));
CREATE FUNCTION labels_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.title := btrim(NEW.title); RETURN NEW; END $$;
CREATE TRIGGER labels_before BEFORE INSERT ON labels FOR EACH ROW EXECUTE FUNCTION labels_before();

CREATE TABLE issues (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    iid integer,
    author_id bigint REFERENCES users ON DELETE SET NULL,
    milestone_id bigint REFERENCES milestones ON DELETE SET NULL,
    title varchar(255) NOT NULL,
    description text,
    description_html text,
    state_id smallint NOT NULL DEFAULT 1 CHECK (state_id IN (1, 2)),
    confidential boolean NOT NULL DEFAULT false,
    weight integer CHECK (weight >= 0),
    comments_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz,
    UNIQUE (project_id, iid));
CREATE FUNCTION issues_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.iid IS NULL THEN NEW.iid := next_iid(NEW.project_id, 0::smallint); END IF;
    NEW.description_html := render_markdown(NEW.description);
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER issues_before BEFORE INSERT ON issues FOR EACH ROW EXECUTE FUNCTION issues_before();
CREATE FUNCTION issues_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE project_statistics SET issues_count = issues_count + 1 WHERE project_id = NEW.project_id;
    INSERT INTO events (project_id, author_id, target_type, target_id, action) VALUES (NEW.project_id, NEW.author_id, 'Issue', NEW.id, 1);
    PERFORM bump('issues');
    RETURN NULL;
END $$;
CREATE TRIGGER issues_after AFTER INSERT ON issues FOR EACH ROW EXECUTE FUNCTION issues_after();
CREATE TABLE issue_assignees (issue_id bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE, PRIMARY KEY (issue_id, user_id));
CREATE TABLE label_links (id bigserial PRIMARY KEY, label_id bigint NOT NULL REFERENCES labels ON DELETE CASCADE,
    target_type text NOT NULL, target_id bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());

-- Comments: a self-reference, with a counter on the issue.
CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    issue_id bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
    author_id bigint REFERENCES users ON DELETE SET NULL,
    parent_id bigint REFERENCES comments ON DELETE CASCADE,
    body text NOT NULL CHECK (length(body) > 0),
    body_html text,
    discussion_id varchar(40),
    system boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION comments_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.body_html := render_markdown(NEW.body);
    IF NEW.discussion_id IS NULL THEN
        SELECT discussion_id INTO NEW.discussion_id FROM comments WHERE id = NEW.parent_id;
        NEW.discussion_id := coalesce(NEW.discussion_id, md5(NEW.issue_id::text || ':' || coalesce(NEW.id, 0)::text));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER comments_before BEFORE INSERT ON comments FOR EACH ROW EXECUTE FUNCTION comments_before();
CREATE FUNCTION comments_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE issues SET comments_count = comments_count + 1 WHERE id = NEW.issue_id; PERFORM bump('notes'); RETURN NULL; END $$;
CREATE TRIGGER comments_after AFTER INSERT ON comments FOR EACH ROW EXECUTE FUNCTION comments_after();

-- Merge requests and their diffs: a cycle (latest_merge_request_diff_id ↔ merge_request_id).
CREATE TABLE merge_requests (
    id bigserial PRIMARY KEY,
    target_project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    source_project_id bigint REFERENCES projects ON DELETE SET NULL,
    iid integer,
    author_id bigint REFERENCES users ON DELETE SET NULL,
    assignee_id bigint REFERENCES users ON DELETE SET NULL,
    latest_merge_request_diff_id bigint,
    title varchar(255) NOT NULL,
    state mr_state NOT NULL DEFAULT 'opened',
    source_branch varchar(255) NOT NULL DEFAULT 'feature',
    target_branch varchar(255) NOT NULL DEFAULT 'main',
    draft boolean GENERATED ALWAYS AS (title ~* '^(draft:|\[draft\]|wip:)') STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (target_project_id, iid));
CREATE FUNCTION merge_requests_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.iid IS NULL THEN NEW.iid := next_iid(NEW.target_project_id, 2::smallint); END IF; RETURN NEW; END $$;
CREATE TRIGGER merge_requests_before BEFORE INSERT ON merge_requests FOR EACH ROW EXECUTE FUNCTION merge_requests_before();
CREATE FUNCTION merge_requests_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM bump('merge_requests'); RETURN NULL; END $$;
CREATE TRIGGER merge_requests_after AFTER INSERT ON merge_requests FOR EACH ROW EXECUTE FUNCTION merge_requests_after();
CREATE TABLE merge_request_diffs (
    id bigserial PRIMARY KEY,
    merge_request_id bigint NOT NULL REFERENCES merge_requests ON DELETE CASCADE,
    state varchar(255) NOT NULL DEFAULT 'collected',
    head_commit_sha sha1,
    base_commit_sha sha1,
    commits_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now());
ALTER TABLE merge_requests ADD CONSTRAINT mr_latest_diff FOREIGN KEY (latest_merge_request_diff_id)
    REFERENCES merge_request_diffs ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
CREATE TABLE merge_request_diff_commits (
    merge_request_diff_id bigint NOT NULL REFERENCES merge_request_diffs ON DELETE CASCADE,
    relative_order integer NOT NULL CHECK (relative_order >= 0),
    sha sha1 NOT NULL,
    message text,
    authored_date timestamptz,
    PRIMARY KEY (merge_request_diff_id, relative_order));
CREATE FUNCTION diff_commits_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE merge_request_diffs SET commits_count = commits_count + 1 WHERE id = NEW.merge_request_diff_id; RETURN NULL; END $$;
CREATE TRIGGER diff_commits_count AFTER INSERT ON merge_request_diff_commits FOR EACH ROW EXECUTE FUNCTION diff_commits_count();
CREATE TABLE diff_note_positions (
    id bigserial PRIMARY KEY,
    comment_id bigint REFERENCES comments ON DELETE CASCADE,
    diff_id bigint,
    diff_order integer,
    line integer NOT NULL CHECK (line > 0),
    FOREIGN KEY (diff_id, diff_order) REFERENCES merge_request_diff_commits MATCH FULL ON DELETE CASCADE);

-- Events: partitioned by month; audit events: an inheritance pair.
CREATE TABLE events (
    id bigserial,
    project_id bigint REFERENCES projects ON DELETE CASCADE,
    author_id bigint REFERENCES users ON DELETE CASCADE,
    target_type text,
    target_id bigint,
    action smallint NOT NULL CHECK (action BETWEEN 1 AND 12),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
CREATE TABLE events_2026_11 PARTITION OF events FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
CREATE TABLE events_2026_12 PARTITION OF events FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE FUNCTION events_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM bump('events'); RETURN NULL; END $$;
CREATE TRIGGER events_count AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_count();
CREATE TABLE audit_events (id bigserial PRIMARY KEY, author_id bigint REFERENCES users ON DELETE SET NULL,
    entity_type text NOT NULL, entity_id bigint NOT NULL, details jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE audit_events_archived (archived_at timestamptz NOT NULL DEFAULT now()) INHERITS (audit_events);
CREATE TABLE audit_event_streaming_headers (id bigserial PRIMARY KEY, audit_event_id bigint NOT NULL REFERENCES audit_events ON DELETE CASCADE,
    key text NOT NULL, value text NOT NULL);

CREATE TABLE todos (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    author_id bigint REFERENCES users ON DELETE SET NULL, project_id bigint REFERENCES projects ON DELETE CASCADE,
    target_type text NOT NULL, target_id bigint, action smallint NOT NULL, state varchar NOT NULL DEFAULT 'pending',
    CHECK (state IN ('pending', 'done')));
CREATE TABLE snippets (id bigserial PRIMARY KEY, author_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    project_id bigint REFERENCES projects ON DELETE CASCADE, title varchar(255) NOT NULL, content text,
    file_name varchar(255), visibility_level smallint NOT NULL DEFAULT 0, type text);
CREATE TABLE keys (id bigserial PRIMARY KEY, user_id bigint REFERENCES users ON DELETE CASCADE,
    key text NOT NULL, title varchar(255), fingerprint_md5 text GENERATED ALWAYS AS (md5(key)) STORED, expires_at timestamptz);
CREATE UNIQUE INDEX keys_fingerprint ON keys (fingerprint_md5);
CREATE FUNCTION keys_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.title := coalesce(NEW.title, split_part(NEW.key, ' ', 3), 'key'); RETURN NEW; END $$;
CREATE TRIGGER keys_before BEFORE INSERT ON keys FOR EACH ROW EXECUTE FUNCTION keys_before();

CREATE TABLE environments (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    name varchar(255) NOT NULL, slug varchar(255), tier smallint, UNIQUE (project_id, name));
CREATE FUNCTION environments_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.slug := make_slug(NEW.name); NEW.tier := coalesce(NEW.tier, CASE WHEN NEW.name ILIKE 'prod%' THEN 0 ELSE 4 END); RETURN NEW; END $$;
CREATE TRIGGER environments_before BEFORE INSERT ON environments FOR EACH ROW EXECUTE FUNCTION environments_before();
CREATE TABLE releases (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    tag varchar(255) NOT NULL, name varchar(255), author_id bigint REFERENCES users ON DELETE SET NULL,
    released_at timestamptz NOT NULL DEFAULT now(), UNIQUE (project_id, tag));
CREATE FUNCTION releases_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.tag := btrim(NEW.tag); NEW.name := coalesce(NEW.name, NEW.tag); RETURN NEW; END $$;
CREATE TRIGGER releases_before BEFORE INSERT ON releases FOR EACH ROW EXECUTE FUNCTION releases_before();
CREATE FUNCTION releases_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO events (project_id, author_id, target_type, target_id, action) VALUES (NEW.project_id, NEW.author_id, 'Release', NEW.id, 12); RETURN NULL; END $$;
CREATE TRIGGER releases_after AFTER INSERT ON releases FOR EACH ROW EXECUTE FUNCTION releases_after();
CREATE TABLE release_links (id bigserial PRIMARY KEY, release_id bigint NOT NULL REFERENCES releases ON DELETE CASCADE,
    url varchar(2048) NOT NULL CHECK (url ~ '^https?://'), name varchar(255) NOT NULL, UNIQUE (release_id, url));

-- CI, in its own schema.
CREATE TABLE s12ci.ci_pipelines (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES s12app.projects ON DELETE CASCADE,
    iid integer,
    ref varchar(255) NOT NULL DEFAULT 'main',
    sha sha1,
    status s12ci.ci_status NOT NULL DEFAULT 'created',
    user_id bigint REFERENCES s12app.users ON DELETE SET NULL,
    merge_request_id bigint REFERENCES s12app.merge_requests ON DELETE CASCADE,
    duration integer CHECK (duration >= 0),
    created_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION s12ci.ci_pipelines_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.iid IS NULL THEN NEW.iid := next_iid(NEW.project_id, 5::smallint); END IF;
    NEW.sha := lower(NEW.sha);
    PERFORM bump('pipelines');
    RETURN NEW;
END $$;
CREATE TRIGGER ci_pipelines_before BEFORE INSERT ON s12ci.ci_pipelines FOR EACH ROW EXECUTE FUNCTION s12ci.ci_pipelines_before();
CREATE TABLE s12ci.ci_stages (id bigserial PRIMARY KEY, pipeline_id bigint NOT NULL REFERENCES s12ci.ci_pipelines ON DELETE CASCADE,
    name varchar(255) NOT NULL, position integer, status s12ci.ci_status NOT NULL DEFAULT 'created', UNIQUE (pipeline_id, name));
CREATE TABLE s12ci.ci_builds (
    id bigserial PRIMARY KEY,
    pipeline_id bigint REFERENCES s12ci.ci_pipelines ON DELETE CASCADE,
    stage_name varchar(255),
    project_id bigint REFERENCES s12app.projects ON DELETE CASCADE,
    user_id bigint REFERENCES s12app.users ON DELETE SET NULL,
    name varchar(255) NOT NULL DEFAULT 'build',
    status s12ci.ci_status NOT NULL DEFAULT 'created',
    options jsonb,
    allow_failure boolean NOT NULL DEFAULT false,
    FOREIGN KEY (pipeline_id, stage_name) REFERENCES s12ci.ci_stages (pipeline_id, name) ON DELETE CASCADE);
CREATE TABLE s12ci.ci_builds_archived (archived_at timestamptz NOT NULL DEFAULT now()) INHERITS (s12ci.ci_builds);
CREATE FUNCTION s12ci.ci_builds_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.name := btrim(NEW.name);
    IF NEW.project_id IS NULL THEN SELECT project_id INTO NEW.project_id FROM ci_pipelines WHERE id = NEW.pipeline_id; END IF;
    PERFORM bump('builds');
    RETURN NEW;
END $$;
CREATE TRIGGER ci_builds_before BEFORE INSERT ON s12ci.ci_builds FOR EACH ROW EXECUTE FUNCTION s12ci.ci_builds_before();
CREATE TABLE s12ci.ci_job_artifacts (
    id bigserial PRIMARY KEY,
    job_id bigint NOT NULL REFERENCES s12ci.ci_builds ON DELETE CASCADE,
    project_id bigint NOT NULL REFERENCES s12app.projects ON DELETE CASCADE,
    file_type smallint NOT NULL CHECK (file_type BETWEEN 1 AND 30),
    size bigint CHECK (size >= 0),
    file_sha256 bytea,
    expire_at timestamptz);
CREATE TABLE s12ci.ci_runners (id bigserial PRIMARY KEY, token varchar(64) UNIQUE, description text,
    runner_type smallint NOT NULL DEFAULT 3, active boolean NOT NULL DEFAULT true);
CREATE FUNCTION s12ci.ci_runners_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.token := coalesce(NEW.token, 'glrt-' || md5(coalesce(NEW.id, 0)::text)); RETURN NEW; END $$;
CREATE TRIGGER ci_runners_before BEFORE INSERT ON s12ci.ci_runners FOR EACH ROW EXECUTE FUNCTION s12ci.ci_runners_before();
CREATE TABLE s12ci.ci_runner_projects (id bigserial PRIMARY KEY, runner_id bigint NOT NULL REFERENCES s12ci.ci_runners ON DELETE CASCADE,
    project_id bigint NOT NULL REFERENCES s12app.projects ON DELETE CASCADE, UNIQUE (runner_id, project_id));
CREATE TABLE s12ci.ci_variables (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES s12app.projects ON DELETE CASCADE,
    key varchar(255) NOT NULL CHECK (key ~ '^[A-Za-z0-9_]+$'), value text, protected boolean NOT NULL DEFAULT false,
    environment_scope varchar(255) NOT NULL DEFAULT '*', UNIQUE (project_id, key, environment_scope));
-- A partitioned parent, as GitLab partitions CI tables by partition_id (list partitions, no default).
CREATE TABLE s12ci.p_ci_builds_execution_configs (partition_id bigint NOT NULL, id bigint NOT NULL, project_id bigint,
    run_steps jsonb NOT NULL DEFAULT '[]', PRIMARY KEY (id, partition_id)) PARTITION BY LIST (partition_id);
CREATE TABLE s12ci.ci_builds_execution_configs_100 PARTITION OF s12ci.p_ci_builds_execution_configs FOR VALUES IN (100);
CREATE TABLE s12ci.ci_builds_execution_configs_101 PARTITION OF s12ci.p_ci_builds_execution_configs FOR VALUES IN (101);
CREATE TABLE s12ci.ci_build_trace_metadata (id bigserial PRIMARY KEY, partition_id bigint NOT NULL, execution_config_id integer,
    checksum varchar(64), FOREIGN KEY (execution_config_id, partition_id) REFERENCES s12ci.p_ci_builds_execution_configs (id, partition_id)
    ON DELETE CASCADE);
CREATE TABLE s12app.deployments (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    environment_id bigint NOT NULL REFERENCES environments ON DELETE CASCADE, iid integer, ref varchar(255) NOT NULL DEFAULT 'main',
    sha sha1, user_id bigint REFERENCES users ON DELETE SET NULL,
    deployable_id bigint REFERENCES s12ci.ci_builds ON DELETE SET NULL, status smallint NOT NULL DEFAULT 0,
    UNIQUE (project_id, iid));
CREATE FUNCTION deployments_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.iid IS NULL THEN NEW.iid := next_iid(NEW.project_id, 3::smallint); END IF; RETURN NEW; END $$;
CREATE TRIGGER deployments_before BEFORE INSERT ON deployments FOR EACH ROW EXECUTE FUNCTION deployments_before();

-- Seed data.
INSERT INTO countries (code, name) VALUES ('DE', 'Germany'), ('FR', 'France'), ('US', 'United States'), ('JP', 'Japan');
INSERT INTO licenses (spdx_identifier, name, osi_approved) VALUES ('MIT', 'MIT License', true), ('Apache-2.0', 'Apache License 2.0', true),
    ('GPL-3.0-only', 'GNU GPL v3', true);
INSERT INTO topics (name) VALUES ('ruby'), ('go'), ('postgresql');
INSERT INTO users (id, username, email, name) VALUES (1, 'root', 'Admin@Example.com', 'Administrator'), (2, 'alice', 'alice@example.com', NULL),
    (3, 'bob', NULL, 'Bob');
INSERT INTO namespaces (id, name, path, type) VALUES (1, 'root', 'root', 'User'), (2, 'GitLab Org', 'gitlab-org', 'Group');
INSERT INTO namespaces (id, name, path, type, parent_id) VALUES (3, 'Frontend', 'frontend', 'Group', 2);
INSERT INTO groups (id, namespace_id, owner_id, name) VALUES (1, 2, 1, 'GitLab Org'), (2, 3, 2, 'Frontend');
UPDATE users SET primary_group_id = 1 WHERE id IN (1, 2);
INSERT INTO projects (id, namespace_id, creator_id, name, path) VALUES (1, 2, 1, 'GitLab', 'gitlab'), (2, 3, 2, 'Web IDE', NULL),
    (3, 1, 1, 'dotfiles', 'DotFiles');
INSERT INTO milestones (id, project_id, title) VALUES (1, 1, '17.0'), (2, 1, '17.1'), (3, 2, 'Backlog');
INSERT INTO labels (id, project_id, title) VALUES (1, 1, 'bug'), (2, 1, 'feature'), (3, 2, ' ux ');
INSERT INTO issues (id, project_id, author_id, milestone_id, title, description) VALUES
    (1, 1, 2, 1, 'Crash on login', 'Steps:\n1. log in'), (2, 1, 3, NULL, 'Slow CI', NULL), (3, 2, 1, 3, 'Dark mode', '<b>please</b>');
INSERT INTO comments (id, issue_id, author_id, parent_id, body) VALUES (1, 1, 1, NULL, 'Confirmed'), (2, 1, 2, 1, 'Thanks');
INSERT INTO merge_requests (id, target_project_id, source_project_id, author_id, title) VALUES (1, 1, 1, 2, 'Fix login'), (2, 2, 2, 1, 'Draft: dark mode');
INSERT INTO merge_request_diffs (id, merge_request_id, head_commit_sha) VALUES (1, 1, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), (2, 2, NULL);
UPDATE merge_requests SET latest_merge_request_diff_id = id;
INSERT INTO merge_request_diff_commits VALUES (1, 0, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'fix', now());
INSERT INTO environments (id, project_id, name) VALUES (1, 1, 'production'), (2, 1, 'review/main');
INSERT INTO releases (id, project_id, tag, author_id) VALUES (1, 1, 'v17.0.0', 1);
INSERT INTO audit_events (id, author_id, entity_type, entity_id) VALUES (1, 1, 'Project', 1);
INSERT INTO audit_events_archived (id, author_id, entity_type, entity_id) VALUES (500, 1, 'Project', 2);
INSERT INTO s12ci.ci_pipelines (id, project_id, sha, user_id, status) VALUES (1, 1, 'cccccccccccccccccccccccccccccccccccccccc', 1, 'success'),
    (2, 2, NULL, 2, 'failed');
INSERT INTO s12ci.ci_stages (id, pipeline_id, name, position) VALUES (1, 1, 'build', 0), (2, 1, 'test', 1), (3, 2, 'test', 0);
INSERT INTO s12ci.ci_builds (id, pipeline_id, stage_name, name) VALUES (1, 1, 'build', 'compile'), (2, 1, 'test', 'rspec'), (3, 2, 'test', 'jest');
INSERT INTO s12ci.ci_builds_archived (id, pipeline_id, stage_name, project_id, name) VALUES (900, 1, 'test', 1, 'old rspec');
INSERT INTO s12ci.p_ci_builds_execution_configs (partition_id, id, project_id) VALUES (100, 1, 1), (101, 2, 1);
INSERT INTO s12ci.ci_runners (id, description) VALUES (1, 'shared'), (2, 'group');
SELECT setval(pg_get_serial_sequence(t, 'id'), 1000) FROM unnest(ARRAY['namespaces', 'groups', 'projects', 'milestones', 'labels', 'issues',
    'comments', 'merge_requests', 'merge_request_diffs', 'environments', 'releases', 'audit_events', 's12ci.ci_pipelines', 's12ci.ci_stages',
    's12ci.ci_builds', 's12ci.ci_runners', 'topics']) AS t;
SELECT setval(pg_get_serial_sequence('users', 'id'), 1000);
