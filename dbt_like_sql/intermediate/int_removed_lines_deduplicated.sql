-- One row per line removed from a deduplicated document.
with

removed_lines as (

    select * from {{ ref('stg_removed_lines') }}

),

documents as (

    select * from {{ ref('int_documents_deduplicated') }}

),

final as (

    -- Copies of a file under other source paths carry the same rows: keep the kept copy's.
    select removed_lines.*
    from removed_lines
    inner join documents
        on removed_lines.doc_id = documents.doc_id
        and removed_lines.source_path = documents.source_path

)

select * from final
