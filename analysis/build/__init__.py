"""`plantracker build`, one job per module: which notebooks (`jobs`), what each output is made from
(`fingerprint`), which outputs are current (`freshness`), running them (`execute`, `progress`), the
build's own folder and lock (`scratch`, `lock`), the generated pages (`generated`), rendering the site
(`render`), publishing all or nothing (`publish`), PDFs (`pdf`), freezing a published edition
(`editions`); `orchestrate` runs them in order."""
