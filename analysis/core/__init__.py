"""The foundation every layer may import: errors, paths, the column contracts (`schema`), the one number
parser (`numbers`), precision of printed figures, and the words a reader sees (`labels`).

Nothing here imports another layer of `analysis`."""
