"""Is a target on course? The measured quantity, its pace, the status and the reasons in plain words.
A stage: it takes the catalogue, observations and settings as arguments."""
