-- One row per person mention in a deduplicated document.
with

mentions as (

    select * from {{ ref('stg_mentions') }}

),

documents as (

    select * from {{ ref('int_documents_deduplicated') }}

),

final as (

    -- Copies of a file under other source paths carry the same rows: keep the kept copy's.
    select mentions.*
    from mentions
    inner join documents
        on mentions.doc_id = documents.doc_id
        and mentions.source_path = documents.source_path

)

select * from final
