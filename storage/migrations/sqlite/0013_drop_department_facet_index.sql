-- auth_departments_dept (department_id, org_id, auth_id) served one read: the
-- department facet counts of a search without text. Searches now count from
-- the in-memory index (server/auths/search_index.hpp), so the index only cost
-- a write per department link and tempted SQLite into a per-department scan
-- in the export (auths_export_repo.cpp). Every remaining read of the table
-- goes by auth through the primary key.
DROP INDEX auth_departments_dept;
