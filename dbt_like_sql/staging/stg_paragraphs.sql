-- One row per paragraph of a current source file.
with

source as (

    select * from staging.paragraphs

),

final as (

    select
        source_path,
        doc_id,
        cast(paragraph_no as integer) as paragraph_no,
        text as paragraph_text,
        list_sort(list_distinct(topics)) as topics
    from source

)

select * from final
