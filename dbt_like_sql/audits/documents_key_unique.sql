-- Fails for every marts.documents key (doc_id) that is null or appears more than once.
select
    doc_id,
    count(*) as row_count
from marts.documents
group by doc_id
having count(*) > 1 or doc_id is null
