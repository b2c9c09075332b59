-- Fails for every quote that points at a meeting missing from marts.meetings.
select
    quotes.quote_id,
    quotes.meeting_id
from marts.quotes as quotes
left join marts.meetings as meetings
    on quotes.meeting_id = meetings.meeting_id
where quotes.meeting_id is not null
    and meetings.meeting_id is null
