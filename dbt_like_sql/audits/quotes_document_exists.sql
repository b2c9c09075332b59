-- Fails for every quote whose article is missing from marts.documents.
select
    quotes.quote_id,
    quotes.doc_id
from marts.quotes as quotes
left join marts.documents as documents
    on quotes.doc_id = documents.doc_id
where documents.doc_id is null
