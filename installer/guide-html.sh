#!/bin/sh
# Markdown guides to one plain HTML page for the USB folder (no converter is installed on an offline build
# machine): headings, fenced code, lists and tables as preformatted lines, paragraphs. Usage: guide-html.sh FILE.md...
set -eu
printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>The Appliance: operator guide</title>\n'
printf '<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}pre{background:#f4f4f4;padding:.5em;overflow-x:auto}</style></head><body>\n'
for f in "$@"; do
  awk '
    function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
    function flush() { if (para != "") { print "<p>" para "</p>"; para = "" } }
    /^```/ { flush(); if (code) { print "</pre>"; code = 0 } else { printf "<pre>"; code = 1 }; next }
    code { print esc($0); next }
    /^#+ / { flush(); n = index($0, " ") - 1; print "<h" n ">" esc(substr($0, n + 2)) "</h" n ">"; next }
    /^(\||- |[0-9]+\. )/ { flush(); print "<pre>" esc($0) "</pre>"; next }
    /^$/ { flush(); next }
    { para = para (para == "" ? "" : " ") esc($0) }
    END { flush(); if (code) print "</pre>" }
  ' "$f"
done
printf '</body></html>\n'
