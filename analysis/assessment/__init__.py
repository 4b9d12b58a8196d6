"""Is a target on course? The measured quantity, its pace, the status and the reasons in plain words.
A stage: it takes the catalogue, observations and settings as arguments.

In the order a target goes through them:
quantity     what the target's measure promises, year by year (a level, a change, a yearly flow)
pace         observed and required pace, and R with its band
goal         whether a figure or a bound meets the goal; the level a forecast is judged against
progress     every component of one target's progress, worked out once as one record
status       the status: a small pure mapping of that record
explanation  the reason beside the status, written from the record
reasons      the words of the reasons, in English and Chinese
table        the assessment table: every target through the steps above, one row each
"""
