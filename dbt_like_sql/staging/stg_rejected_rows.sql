-- One row per mart row a row-level expectation rejected (flows/quality/gate.py): the models
-- leave it out, and the rows that referred to it refer to nothing.
with

source as (

    select * from staging.rejected_rows

),

final as (

    select distinct
        suite,
        key
    from source

)

select * from final
