-- Fails for every meeting whose participants are not sorted, distinct and non-null.
select
    meeting_id,
    participants
from marts.meetings
where participants is null
    or participants != list_sort(list_distinct(participants))
