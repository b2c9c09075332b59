-- One row per current article.
with

documents as (

    select * from {{ ref('int_documents_deduplicated') }}

),

events as (

    select * from {{ ref('int_events_linked') }}

),

first_events as (

    select
        doc_id,
        kind
    from events
    where event_no = 0

),

final as (

    select
        documents.doc_id,
        documents.source_path,
        documents.title,
        documents.subtitle,
        documents.published_date,
        documents.dateline,
        documents.outlet,
        documents.byline,
        coalesce(first_events.kind, 'other') as kind,
        documents.body,
        documents.paragraph_count,
        documents.removed_line_count,
        documents.content_type
    from documents
    left join first_events
        on documents.doc_id = first_events.doc_id

)

select * from final
