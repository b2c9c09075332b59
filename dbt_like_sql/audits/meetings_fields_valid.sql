-- Fails for every meeting with an unknown kind, no source or a quote count below zero.
select
    meeting_id,
    kind,
    source_count,
    quote_count
from marts.meetings
where kind is null
    or kind not in ('meeting', 'phone_call', 'message')
    or source_count < 1
    or quote_count < 0
