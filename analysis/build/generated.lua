-- A Quarto shortcode of the project (_quarto.yml: shortcodes). Quarto expands {{< include >}} while it reads
-- the project, before the pre-render step has written the generated files; this one is read when the page
-- is rendered, after it. The offline renderer reads it as an include (analysis/build/render.py).
-- {{< generated FILE >}}: the Markdown of FILE (relative to the page), read when the page is rendered
return {
  ["generated"] = function(args)
    local name = pandoc.utils.stringify(args[1])
    local path = pandoc.path.join({pandoc.path.directory(quarto.doc.input_file), name})
    local handle = io.open(path, "r")
    if handle == nil then
      error("plantracker: " .. path .. " does not exist; it is written by the pre-render step (plantracker build)")
    end
    local text = handle:read("a")
    handle:close()
    return pandoc.read(text, "markdown").blocks
  end
}
