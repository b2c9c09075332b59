-- One row per quote of a deduplicated document, with its article, statement and meeting.
with

quotes as (

    select * from {{ ref('stg_quotes') }}

),

documents as (

    select * from {{ ref('int_documents_deduplicated') }}

),

statement_links as (

    select * from {{ ref('stg_statement_links') }}

),

events as (

    select * from {{ ref('int_events_linked') }}

),

rejected as (

    select * from {{ ref('stg_rejected_rows') }}

),

statements as (

    select
        doc_id,
        quote_no,
        min(statement_id) as statement_id
    from statement_links
    group by doc_id, quote_no

),

final as (

    select
        quotes.quote_id,
        quotes.doc_id,
        quotes.source_path,
        quotes.quote_no,
        quotes.paragraph_no,
        -- a person rejected by validation speaks no quote
        case
            when [quotes.speaker] in (select key from rejected where suite = 'people') then null
            else quotes.speaker
        end as speaker,
        quotes.quote_text,
        quotes.attribution_verb,
        quotes.is_partial,
        quotes.event_no,
        quotes.topics,
        documents.published_date,
        documents.outlet,
        -- a meeting rejected by validation holds no quote
        case
            when [events.meeting_id] in (select key from rejected where suite = 'meetings')
                then null
            else events.meeting_id
        end as meeting_id,
        -- A quote no other article repeats is a statement of its own.
        coalesce(statements.statement_id, quotes.quote_id) as statement_id
    from quotes
    inner join documents
        on quotes.doc_id = documents.doc_id
        and quotes.source_path = documents.source_path
    left join statements
        on quotes.doc_id = statements.doc_id
        and quotes.quote_no = statements.quote_no
    left join events
        on quotes.doc_id = events.doc_id
        and quotes.event_no = events.event_no
    -- a quote rejected by validation is left out
    where [quotes.quote_id] not in (select key from rejected where suite = 'quotes')

)

select * from final
