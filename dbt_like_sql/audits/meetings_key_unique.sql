-- Fails for every marts.meetings key (meeting_id) that is null or appears more than once.
select
    meeting_id,
    count(*) as row_count
from marts.meetings
group by meeting_id
having count(*) > 1 or meeting_id is null
