"""What a reader sees: the region and overview reports the notebooks show, target pages, gaps, changes,
charts and the HTML/Markdown helpers they share."""
