"""`plantracker build`: which notebooks to execute, executing them, rendering the site and publishing it
atomically; also the PDFs."""
