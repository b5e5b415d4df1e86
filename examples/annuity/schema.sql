-- The example annuity warehouse: a monthly fact table 规模明细 with foreign keys to
-- plans (年金计划), portfolios (组合计划, which reference plans), product lines
-- (产品线) and organisations (组织架构). Used by `make demo` and the tests.
CREATE SCHEMA IF NOT EXISTS mapping;
CREATE SCHEMA IF NOT EXISTS business;

CREATE TABLE mapping."年金计划" (
    "年金计划号" varchar(20) PRIMARY KEY,
    "计划全称"   varchar(200),
    "计划类型"   varchar(20),
    "客户名称"   varchar(200),
    "主拓代码"   varchar(10),
    "主拓机构"   varchar(100),
    "管理资格"   varchar(100),
    company_id   varchar(50)
);

CREATE TABLE mapping."组合计划" (
    "组合代码"   varchar(20) PRIMARY KEY,
    "年金计划号" varchar(20) NOT NULL
        CONSTRAINT "fk_组合计划_年金计划" REFERENCES mapping."年金计划" ("年金计划号"),
    "组合名称"   varchar(200),
    "组合类型"   varchar(50),
    "运作开始日" date
);

CREATE TABLE mapping."产品线" (
    "产品线代码" varchar(20) PRIMARY KEY,
    "产品线"     varchar(100),
    "产品类别"   varchar(50)
);

CREATE TABLE mapping."组织架构" (
    "机构代码" varchar(10) PRIMARY KEY,
    "机构"     varchar(100),
    "年金中心" varchar(100)
);

CREATE TABLE business."规模明细" (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "月度"         date NOT NULL,
    "业务类型"     varchar(50),
    "计划类型"     varchar(20),
    "计划代码"     varchar(20) NOT NULL
        CONSTRAINT "fk_规模明细_年金计划" REFERENCES mapping."年金计划" ("年金计划号"),
    "计划名称"     varchar(200),
    "组合类型"     varchar(50),
    "组合代码"     varchar(20)
        CONSTRAINT "fk_规模明细_组合计划" REFERENCES mapping."组合计划" ("组合代码"),
    "组合名称"     varchar(200),
    "客户名称"     varchar(200),
    "期初资产规模" numeric(18,4),
    "期末资产规模" numeric(18,4),
    "投资收益"     numeric(18,4),
    "机构代码"     varchar(10)
        CONSTRAINT "fk_规模明细_组织架构" REFERENCES mapping."组织架构" ("机构代码"),
    "机构名称"     varchar(100),
    "产品线代码"   varchar(20)
        CONSTRAINT "fk_规模明细_产品线" REFERENCES mapping."产品线" ("产品线代码")
);
