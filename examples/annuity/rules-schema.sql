-- Additions to schema.sql for the rules-file example (docs/rules.md): review marks and
-- tags on plans, and a customer table that the fact table references only through a
-- relation declared in the rules file (as in the production schema, which has no FK
-- constraints on its fact table at all).
ALTER TABLE mapping."年金计划"
    ADD COLUMN tags jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN _source text,
    ADD COLUMN _needs_review boolean NOT NULL DEFAULT false,
    ADD COLUMN _derived_at timestamptz;

CREATE TABLE mapping."年金客户" (
    "客户名称"     varchar(200) PRIMARY KEY,
    "年金客户类型" varchar(20) NOT NULL,
    "关联计划数"   integer,
    "主拓机构"     varchar(100),
    tags           jsonb,
    _source        text
);
