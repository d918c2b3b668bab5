-- Pandoc filter that turns the project's Markdown docs into man page text.
-- The Markdown stays the one source; only what a terminal cannot show is
-- changed, so that `man --warnings` is clean at 80 columns:
--  * the document's own H1 title and its "Contents:" line of anchors are
--    dropped (the man header and the NAME section replace them);
--  * links keep their text; a link to a file of the tree gets the file's
--    name after it unless the text already says it; the example
--    configuration is named where the package installs it;
--  * tables become definition lists (the first column is the term, every
--    other column a "header: value" part of one paragraph), because tbl cannot wrap
--    four columns of long cells into 80 columns;
--  * long code words get break points (below).
function Header(h)
  if h.level == 1 and pandoc.utils.stringify(h.content) == "Configuration reference" then
    return {}
  end
  return nil
end

function Para(p)
  local first = p.content[1]
  if first and first.t == "Str" and first.text == "Contents:" then
    return {}
  end
  return nil
end

function Link(l)
  local target = l.target
  if target:match("^#") then
    return l.content
  end
  if target:match("^[a-z]+:") then
    return nil -- an absolute URL: the man writer prints it after the text
  end
  local file = target:gsub("#.*$", ""):gsub("^%.%./", "")
  if file == "config/replywatch.example.json" then
    return { pandoc.Code("/etc/replywatch/replywatch.example.json") }
  end
  local text = pandoc.utils.stringify(l.content)
  if file == "" or text == file or text:match("%.md$") then
    return l.content
  end
  local out = l.content
  out:insert(pandoc.Space())
  out:insert(pandoc.Str("(" .. file .. ")"))
  return out
end

local function cell_inlines(cell)
  return pandoc.utils.blocks_to_inlines(cell, { pandoc.Space() })
end

function Table(t)
  local simple = pandoc.utils.to_simple_table(t)
  local headers = {}
  for i, h in ipairs(simple.headers) do
    headers[i] = pandoc.utils.stringify(h)
  end
  local items = {}
  for _, row in ipairs(simple.rows) do
    local lines = pandoc.List()
    for i = 2, #row do
      local inl = cell_inlines(row[i])
      if #inl > 0 then
        if #lines > 0 then
          lines:insert(pandoc.Str(";"))
          lines:insert(pandoc.Space())
        end
        if headers[i] ~= "" then
          lines:insert(pandoc.Emph({ pandoc.Str(headers[i] .. ":") }))
          lines:insert(pandoc.Space())
        end
        lines:extend(inl)
      end
    end
    table.insert(items, { cell_inlines(row[1]), { { pandoc.Para(lines) } } })
  end
  return pandoc.DefinitionList(items)
end

-- A long code word (a URL with its query) cannot be broken by troff and
-- overflows the line: split it after "?", "&" and "/" with \: (a break
-- point that prints nothing).
function Code(c)
  if #c.text <= 40 then
    return nil
  end
  local out = pandoc.List()
  for piece in c.text:gmatch("[^?&/]*[?&/]?") do
    if piece ~= "" then
      if #out > 0 then
        out:insert(pandoc.RawInline("man", "\\:"))
      end
      out:insert(pandoc.Code(piece))
    end
  end
  return out
end
