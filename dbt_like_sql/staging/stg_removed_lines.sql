-- One row per line removed from a current source file.
with

source as (

    select * from staging.removed_lines

),

final as (

    select
        source_path,
        doc_id,
        cast(line_no as integer) as line_no,
        text as line_text,
        lower(trim(reason)) as reason
    from source

)

select * from final
