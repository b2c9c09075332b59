-- Fails for every marts.removed_lines key (doc_id, line_no) that is null or appears more than once.
select
    doc_id, line_no,
    count(*) as row_count
from marts.removed_lines
group by doc_id, line_no
having count(*) > 1 or doc_id is null or line_no is null
