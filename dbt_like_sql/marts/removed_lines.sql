-- One row per line taken out of an article body.
with

removed_lines as (

    select * from {{ ref('int_removed_lines_deduplicated') }}

),

final as (

    select
        doc_id,
        source_path,
        line_no,
        line_text as text,
        reason
    from removed_lines

)

select * from final
