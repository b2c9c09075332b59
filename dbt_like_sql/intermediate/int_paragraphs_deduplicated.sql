-- One row per paragraph of a deduplicated document.
with

paragraphs as (

    select * from {{ ref('stg_paragraphs') }}

),

documents as (

    select * from {{ ref('int_documents_deduplicated') }}

),

final as (

    -- Copies of a file under other source paths carry the same rows: keep the kept copy's.
    select paragraphs.*
    from paragraphs
    inner join documents
        on paragraphs.doc_id = documents.doc_id
        and paragraphs.source_path = documents.source_path

)

select * from final
