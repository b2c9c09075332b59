-- Fails for every marts.topics key (meeting_id, topic) that is null or appears more than once.
select
    meeting_id, topic,
    count(*) as row_count
from marts.topics
group by meeting_id, topic
having count(*) > 1 or meeting_id is null or topic is null
