-- One row per person mention in a paragraph of a current source file.
with

source as (

    select * from staging.mentions

),

final as (

    select
        source_path,
        doc_id,
        cast(paragraph_no as integer) as paragraph_no,
        trim(person) as person,
        surface,
        lower(trim(how)) as how
    from source

)

select * from final
