-- Fails for every marts.quotes key (quote_id) that is null or appears more than once.
select
    quote_id,
    count(*) as row_count
from marts.quotes
group by quote_id
having count(*) > 1 or quote_id is null
