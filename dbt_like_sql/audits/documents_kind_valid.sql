-- Fails for every document whose kind is outside the contract's list.
select
    doc_id,
    kind
from marts.documents
where kind is null
    or kind not in ('meeting', 'phone_call', 'message', 'other')
