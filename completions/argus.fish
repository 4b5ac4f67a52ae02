# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_argus_global_optspecs
    string join \n store= o/output= q/quiet v/verbose h/help V/version
end

function __fish_argus_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_argus_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_argus_using_subcommand
    set -l cmd (__fish_argus_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c argus -n "__fish_argus_needs_command" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_needs_command" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_needs_command" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_needs_command" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_needs_command" -f -a "scrape" -d 'Scrape Prometheus metrics endpoints and store the samples'
complete -c argus -n "__fish_argus_needs_command" -f -a "ingest" -d 'Store metric samples from files or stdin: Prometheus text, OpenMetrics, CSV or JSON lines; `argus ingest logs` stores log lines'
complete -c argus -n "__fish_argus_needs_command" -f -a "query" -d 'Evaluate a PromQL or LogQL expression'
complete -c argus -n "__fish_argus_needs_command" -f -a "export" -d 'Write raw samples as CSV, JSON lines or OpenMetrics'
complete -c argus -n "__fish_argus_needs_command" -f -a "serve" -d 'Serve the Prometheus and Loki HTTP APIs on the store, scrape, and take pushes'
complete -c argus -n "__fish_argus_needs_command" -f -a "store" -d 'Inspect, verify, compact and repair the store'
complete -c argus -n "__fish_argus_needs_command" -f -a "rules" -d 'Check and test Prometheus rule files'
complete -c argus -n "__fish_argus_needs_command" -f -a "alerts" -d 'Alerts of the rules evaluated on this store'
complete -c argus -n "__fish_argus_needs_command" -f -a "dashboards" -d 'Grafana dashboards, as `argus serve --dashboards` shows them'
complete -c argus -n "__fish_argus_needs_command" -f -a "conformance" -d 'Run query-language conformance scripts from the reference implementations'
complete -c argus -n "__fish_argus_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand scrape" -s c -l config -d 'A prometheus.yml whose scrape_configs name the targets' -r -F
complete -c argus -n "__fish_argus_using_subcommand scrape" -l every -d 'Keep scraping at this interval until SIGINT/SIGTERM (each job\'s scrape_interval applies to --config targets)' -r
complete -c argus -n "__fish_argus_using_subcommand scrape" -l job -d 'The `job` label of the command line\'s targets [default: the exporter\'s name for a well-known exporter port (9100 node, 9104 mysqld, 9187 postgres, 9121 redis, 9115 blackbox, 9090 prometheus...), else `scrape`; `node` for this host\'s own metrics]' -r
complete -c argus -n "__fish_argus_using_subcommand scrape" -l timeout -d 'Give up on a target after this long (URL targets; --config jobs use scrape_timeout)' -r
complete -c argus -n "__fish_argus_using_subcommand scrape" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand scrape" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand scrape" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand scrape" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand scrape" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand scrape" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -l format -d 'Input format; `auto` decides by file extension and content' -r -f -a "auto\t''
prom\t'Prometheus text format 0.0.4'
openmetrics\t''
csv\t''
jsonl\t''"
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -l label -d 'Add a label to every sample (repeatable), e.g. `--label env=prod`. It overrides a label of the same name in the input' -r
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -l skip-invalid -d 'Store the valid records and report the invalid ones (exit 4) instead of rejecting the whole invocation'
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -a "logs" -d 'Store log lines from files or stdin as log streams'
complete -c argus -n "__fish_argus_using_subcommand ingest; and not __fish_seen_subcommand_from logs help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l label -d 'Add a label to every line\'s stream (repeatable), e.g. `--label app=api`' -r
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l label-from -d 'Promote a JSON or logfmt field to a stream label (repeatable), e.g. `--label-from level`' -r
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l metadata-from -d 'Keep a JSON or logfmt field as structured metadata of the entry (repeatable)' -r
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l time-field -d 'Take each line\'s time from this JSON or logfmt field (a line without it, or with a value that is not a time, is reported and takes its time of arrival)' -r
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l time-format -d 'How times are written: in --time-field, or, without it, at the start of raw lines (`common`: the `[10/Oct/2000:13:55:36 -0700]` of Apache/nginx logs). `auto` finds the time as described above (in --time-field: RFC 3339, or Unix s, ms, µs or ns by size); `arrival` stamps every line with the time it was read' -r -f -a "auto\t''
arrival\t'The time each line is read'
rfc3339\t''
unix\t'Unix seconds, with an optional fraction'
unix-ms\t''
unix-ns\t''
common\t'Apache/nginx common log format'"
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l format -d 'How to read a line: `auto` restores records of `argus export --logs` and finds fields in JSON lines (those starting with `{`) and logfmt lines (the others); `export` takes only such records. Only top-level fields count, the first of a name wins, and a JSON line is read only until every wanted field is found: a line broken after them still gives them, one broken before gives none' -r -f -a "auto\t''
json\t''
logfmt\t''
raw\t''
export\t'Records written by `argus export --logs`'"
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l max-line-bytes -d 'Reject lines longer than this many bytes' -r
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l max-streams -d 'Stop (storing nothing) when the lines would make more streams than this' -r
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l max-label-values -d 'Promote at most this many distinct values of each --label-from field; further values stay in the line only' -r
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l positions -d 'Record in FILE how far each input file was stored, and start from there: a cron job with --positions stores each line once across runs' -r -F
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -l follow -d 'Keep reading the files as they grow, across rotation (rename or truncate, as `tail -F`), committing new lines as they come, until SIGINT or SIGTERM'
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Store log lines from files or stdin as log streams'
complete -c argus -n "__fish_argus_using_subcommand ingest; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand query" -l time -d 'Evaluation time of an instant query (default: now)' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l from -l start -d 'Start of the range: RFC 3339, Unix time (s, ms, µs or ns, told by its size), `now-1h`, or a duration ago (`2h`, `-2h`)' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l to -l end -d 'End of the range (default: now). Same syntax as --from' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l since -d 'Shorthand for `--from now-DURATION` (for example `--since 1h`)' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l step -d 'Resolution of a range query (default: about 250 points over the range); the range itself comes from --since or --from/--to' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l server -d 'Query a Prometheus-compatible server (for example http://localhost:9090), or for LogQL a Loki-compatible one (http://localhost:3100), instead of the store. `host:port` means `http://host:port`' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l lookback-delta -d 'How far back an instant selector looks for a sample' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l max-samples -d 'Stop a query that would hold more samples than this in memory at once (for LogQL, the part of a metric query above its range aggregations); exits 1' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l timeout -d 'Stop a query that runs longer than this' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l limit -d 'Log queries: print at most this many lines (0: no limit). When the limit cuts the result, a note on stderr says so' -r
complete -c argus -n "__fish_argus_using_subcommand query" -l direction -d 'Log queries: `backward` prints the newest lines first (and the limit keeps the newest); `forward` the oldest' -r -f -a "backward\t''
forward\t''"
complete -c argus -n "__fish_argus_using_subcommand query" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand query" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand query" -l stats -d 'After the result, print to stderr where the time went (parse, open the store, evaluate, print) and how many samples were read, like Prometheus\' query `stats`; for a log query, the streams, blocks (and those the trigram filters skipped) and lines read'
complete -c argus -n "__fish_argus_using_subcommand query" -l logql -d 'Read EXPR as LogQL'
complete -c argus -n "__fish_argus_using_subcommand query" -l tail -d 'Log queries: after the latest --limit lines of the range, keep printing new matching lines as other processes store them, until interrupted (like `logcli query --tail`). Only LogQL log queries have lines to follow: with a metric query it is an error'
complete -c argus -n "__fish_argus_using_subcommand query" -l promql -d 'Read EXPR as PromQL'
complete -c argus -n "__fish_argus_using_subcommand query" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand query" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand query" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand query" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand export" -l from -l start -d 'Start of the range: RFC 3339, Unix time (s, ms, µs or ns, told by its size), `now-1h`, or a duration ago (`2h`, `-2h`)' -r
complete -c argus -n "__fish_argus_using_subcommand export" -l to -l end -d 'End of the range (default: now). Same syntax as --from' -r
complete -c argus -n "__fish_argus_using_subcommand export" -l since -d 'Shorthand for `--from now-DURATION` (for example `--since 1h`)' -r
complete -c argus -n "__fish_argus_using_subcommand export" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand export" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand export" -l logs -d 'Export log streams instead of samples: `-o jsonl` (default) writes one JSON object per entry, `{"stream":{labels},"ts":"<ns>","line":"...","metadata":{...}}`; `-o raw` writes the lines only. Entries come stream by stream, each stream in time order'
complete -c argus -n "__fish_argus_using_subcommand export" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand export" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand export" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand serve" -l listen -d 'Address and port to listen on. The default is loopback only; use 0.0.0.0:9180 to serve other machines' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -s c -l config -d 'A prometheus.yml whose scrape_configs are scraped continuously (reloaded on SIGHUP and POST /-/reload)' -r -F
complete -c argus -n "__fish_argus_using_subcommand serve" -l rules -d 'Rule files (Prometheus\' format) to evaluate on their groups\' schedules, besides the `rule_files` of --config; reloaded with it' -r -F
complete -c argus -n "__fish_argus_using_subcommand serve" -l alertmanager-config -d 'An Alertmanager configuration (alertmanager.yml): the server routes, groups and sends its alerts\' notifications (Slack, webhooks) itself, as Alertmanager would; reloaded with --config' -r -F
complete -c argus -n "__fish_argus_using_subcommand serve" -l external-url -d 'The URL under which people reach this server, as alert templates see it ($externalURL) [default: http:// and --listen]' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l dashboards -d 'A folder of Grafana dashboard JSON files, shown on /dashboards and at /d/<uid>; read again as files change; saves from the UI write to it [default: `dashboards` in the store directory]' -r -F
complete -c argus -n "__fish_argus_using_subcommand serve" -l self-scrape-interval -d 'How often the server scrapes its own /metrics (job "argus"); 0s turns it off' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l web-config -d 'A web configuration file in Prometheus\' format: `tls_server_config` (cert_file, key_file, client certificates, TLS versions) serves HTTPS; `basic_auth_users` (bcrypt hashes) requires a user and password on every endpoint' -r -F
complete -c argus -n "__fish_argus_using_subcommand serve" -l push-token-file -d 'Refuse pushes that lack `Authorization: Bearer <token>` with the token in this file' -r -F
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-body-bytes -d 'Largest request body accepted, in bytes, as sent (compressed)' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-decompressed-bytes -d 'Largest push body after decompression, in bytes (bodies announcing more are refused before being decompressed)' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-series-per-push -d 'Most series (remote_write) or streams (Loki push) in one request' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-line-bytes -d 'Longest log line accepted by Loki push, in bytes' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-label-names-per-stream -d 'Most labels of one pushed log stream' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l query-timeout -d 'Longest a query may take to answer, PromQL or LogQL (a PromQL request\'s `timeout` may shorten it)' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-samples -d 'Most samples one PromQL query, or the PromQL part of a LogQL metric query, may hold in memory at once; past it the query is answered 422' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-concurrent-queries -d 'Queries evaluated at once; more wait for a free slot, at most --query-timeout, then get 503' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-entries-per-query -d 'Most lines a Loki log query may ask for (`limit`)' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l lookback-delta -d 'How far back an instant selector looks for a sample' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l max-connections -d 'Most connections open at once (TLS handshakes and tail WebSockets included); more are closed as soon as they are accepted, before TLS and authentication, so that clients cannot take the file descriptors the store needs' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l header-read-timeout -d 'How long a client has to send a request\'s head (its request line and headers): from the connection\'s start for the first request, from its first byte for later ones. Also bounds a TLS handshake. Slower clients are disconnected' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l idle-timeout -d 'How long a kept-alive connection may wait for its next request before it is closed' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l web-allowed-host -d 'A host name the server answers to besides localhost and loopback addresses (repeatable). On a loopback address, requests for other names are refused with 421 (a defence against DNS rebinding); on other addresses, names are checked only when this flag is given' -r
complete -c argus -n "__fish_argus_using_subcommand serve" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand serve" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand serve" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand serve" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand serve" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -f -a "info" -d 'Series, samples, bytes on disk, bytes per sample, parts and time span; for logs, streams, entries, raw and stored bytes, compression ratio, parts and time span'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -f -a "cardinality" -d 'Which metric names, labels and label pairs hold the most series: which label exploded'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -f -a "check" -d 'Verify every checksum and invariant of every file; exit 5 when anything is damaged'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -f -a "compact" -d 'Merge all parts (metrics and logs) that can be merged and apply retention'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -f -a "repair" -d 'Set damaged parts aside and keep everything that still reads'
complete -c argus -n "__fish_argus_using_subcommand store; and not __fish_seen_subcommand_from info cardinality check compact repair help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from info" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from info" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from info" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from info" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from info" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -l limit -d 'Entries per list' -r
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -l match -d 'Count only the series matching this selector (\'{job="api"}\', \'http_requests_total\'; with --logs a stream selector such as \'{app="api"}\'). Repeat for series matching any' -r
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -l label -d 'Also list the series (streams) per value of this label: the "focus label", to see which values of an exploded label hold the most' -r
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -l logs -d 'Count log streams instead of metric series'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from cardinality" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from check" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from compact" -l retention -d 'Delete samples and log entries older than this (for example 30d). 0 means no retention limit (nothing is deleted by age), as in Prometheus; a bare number other than 0 is refused, since it would count seconds' -r
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from compact" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from compact" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from compact" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from compact" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from compact" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from compact" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from repair" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from repair" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from repair" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from repair" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from repair" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from repair" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "info" -d 'Series, samples, bytes on disk, bytes per sample, parts and time span; for logs, streams, entries, raw and stored bytes, compression ratio, parts and time span'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "cardinality" -d 'Which metric names, labels and label pairs hold the most series: which label exploded'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "check" -d 'Verify every checksum and invariant of every file; exit 5 when anything is damaged'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "compact" -d 'Merge all parts (metrics and logs) that can be merged and apply retention'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "repair" -d 'Set damaged parts aside and keep everything that still reads'
complete -c argus -n "__fish_argus_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -f -a "check" -d 'Check rule files as `promtool check rules` does'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -f -a "test" -d 'Run promtool\'s rule unit-test files'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -f -a "eval" -d 'Evaluate rule groups once, now, against the store (for cron)'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -f -a "backfill" -d 'Evaluate recording rules over past data and store what they would have recorded'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -f -a "list" -d 'List the rule groups evaluated on this store: each rule\'s health, last error and evaluation time'
complete -c argus -n "__fish_argus_using_subcommand rules; and not __fish_seen_subcommand_from check test eval backfill list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -l lint -d 'Which lints to run: duplicate-rules (the default), all (the same today) or none' -r -f -a "all\t''
duplicate-rules\t''
none\t''"
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -l lint-fatal -d 'Exit 3 when lint findings are made and nothing else is wrong'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -l ignore-unknown-fields -d 'Skip keys of rule files that Prometheus does not know instead of failing'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -l run -d 'Run only the test groups whose name matches this regular expression (repeatable: a group runs when any matches)' -r
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -l junit -d 'Write a JUnit XML report of every file and test group to FILE' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -l ignore-unknown-fields -d 'Skip keys of test and rule files that Prometheus does not know instead of failing'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -l rules -d 'Rule files to evaluate (Prometheus\' format)' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -l config -d 'A prometheus.yml whose `rule_files` to evaluate, with its global settings' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -l alertmanager-config -d 'An Alertmanager configuration (alertmanager.yml): argus itself routes, groups and sends the notifications (Slack, webhooks) as Alertmanager would, its state kept in the store across runs' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -l time -d 'Evaluate at this time instead of now (RFC 3339, Unix time, `now-5m`...). A group already evaluated at or after that instant is left alone' -r
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -l external-url -d 'The URL alert templates see as $externalURL' -r
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from eval" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -l rules -d 'Rule files whose recording rules to backfill' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -l config -d 'A prometheus.yml whose `rule_files` to backfill, with its global settings' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -l from -d 'First instant (RFC 3339, Unix time, `now-30d`, `30d`...)' -r
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -l to -d 'Last instant [default: now]' -r
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -l eval-interval -d 'Evaluate every DURATION instead of each group\'s interval' -r
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from backfill" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from list" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check rule files as `promtool check rules` does'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run promtool\'s rule unit-test files'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "eval" -d 'Evaluate rule groups once, now, against the store (for cron)'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "backfill" -d 'Evaluate recording rules over past data and store what they would have recorded'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the rule groups evaluated on this store: each rule\'s health, last error and evaluation time'
complete -c argus -n "__fish_argus_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -f -a "list" -d 'List the pending and firing alerts of every rule group evaluated on this store'
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -f -a "silence" -d 'Silences: mute the notifications of matching alerts for a while'
complete -c argus -n "__fish_argus_using_subcommand alerts; and not __fish_seen_subcommand_from list silence help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from list" -l state -d 'Only alerts in this state' -r -f -a "pending\t''
firing\t''"
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from list" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -f -a "add" -d 'Add a silence: notifications (argus\' own, `--alertmanager-config`) of alerts that match every matcher are not sent until it ends. Kept in the store, honoured by `rules eval` and `serve`. Prints the silence\'s ID'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -f -a "list" -d 'List the silences that are active or pending (with --expired, all)'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -f -a "expire" -d 'End silences now'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from silence" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the pending and firing alerts of every rule group evaluated on this store'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from help" -f -a "silence" -d 'Silences: mute the notifications of matching alerts for a while'
complete -c argus -n "__fish_argus_using_subcommand alerts; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and not __fish_seen_subcommand_from check help" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand dashboards; and not __fish_seen_subcommand_from check help" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand dashboards; and not __fish_seen_subcommand_from check help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and not __fish_seen_subcommand_from check help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and not __fish_seen_subcommand_from check help" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'Report the panels, variables, units, overrides and transformations of each dashboard that argus does not draw as Grafana does, and what the migration of an old schema changed'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and __fish_seen_subcommand_from check" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand dashboards; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand dashboards; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and __fish_seen_subcommand_from help" -f -a "check" -d 'Report the panels, variables, units, overrides and transformations of each dashboard that argus does not draw as Grafana does, and what the migration of an old schema changed'
complete -c argus -n "__fish_argus_using_subcommand dashboards; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -f -a "promql" -d 'Run Prometheus\' promqltest scripts (*.test) against argus\' store and engine'
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -f -a "logql" -d 'Run Loki\'s LogQL corpora (parse_ok.txt, parse_err.txt, eval_err.txt) against argus\' LogQL parser, and its engine scripts (*.logqltest) against the LogQL evaluator'
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -f -a "fuzz" -d 'Fuzz argus\' parsers and decoders of outside input with mutated inputs'
complete -c argus -n "__fish_argus_using_subcommand conformance; and not __fish_seen_subcommand_from promql logql fuzz help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -l baseline -d 'Fail when fewer cases pass than this file records (total and per category)' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -l scratch-dir -d 'Where to create the scratch stores [default: the system\'s temporary directory]' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -l update-baseline -d 'Raise the numbers in the --baseline file to this run\'s (never lowers them)'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from promql" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -l baseline -d 'Fail when fewer cases pass than this file records (total and per file)' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -l scratch-dir -d 'Where to create the scratch store the engine scripts load their entries into [default: the system\'s temporary directory]' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -l update-baseline -d 'Raise the numbers in the --baseline file to this run\'s (never lowers them)'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from logql" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -l runs -d 'Inputs per target; 0 runs until interrupted' -r
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -l seed -d 'The mutator\'s seed [default: from the clock; printed, so that a run can be repeated]' -r
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -l conformance -d 'The shared conformance data (with promql/ and logql/ inside), for seeds' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -l fixtures -d 'argus\' test fixtures (tests/fixtures), for seeds' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -l save -d 'Where a failing input is written, as DIR/<target>/<name>; the test suite replays tests/fuzz-regressions/ (the default) for ever after' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -l write-seeds -d 'Write each target\'s seeds as files into DIR/<target>/ (a corpus for libFuzzer) and exit' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -l store -d 'The store directory [env: ARGUS_STORE] [default: $XDG_DATA_HOME/argus, else ~/.local/share/argus]' -r -F
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -s o -l output -d 'Output format (each subcommand accepts the ones that make sense for it)' -r -f -a "table\t'Aligned table for people (the default on a terminal)'
json\t'JSON shaped like the Prometheus HTTP API\'s `data`'
csv\t'Comma-separated values with a header'
tsv\t'Tab-separated values with a header'
jsonl\t'One JSON object per line (export)'
openmetrics\t'OpenMetrics text, re-ingestable by `argus ingest` and `promtool` (export)'
raw\t'Log lines only, one per line (logs)'"
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -l list -d 'List the targets and exit'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from fuzz" -s V -l version -d 'Print version'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from help" -f -a "promql" -d 'Run Prometheus\' promqltest scripts (*.test) against argus\' store and engine'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from help" -f -a "logql" -d 'Run Loki\'s LogQL corpora (parse_ok.txt, parse_err.txt, eval_err.txt) against argus\' LogQL parser, and its engine scripts (*.logqltest) against the LogQL evaluator'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from help" -f -a "fuzz" -d 'Fuzz argus\' parsers and decoders of outside input with mutated inputs'
complete -c argus -n "__fish_argus_using_subcommand conformance; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "scrape" -d 'Scrape Prometheus metrics endpoints and store the samples'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "ingest" -d 'Store metric samples from files or stdin: Prometheus text, OpenMetrics, CSV or JSON lines; `argus ingest logs` stores log lines'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "query" -d 'Evaluate a PromQL or LogQL expression'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "export" -d 'Write raw samples as CSV, JSON lines or OpenMetrics'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "serve" -d 'Serve the Prometheus and Loki HTTP APIs on the store, scrape, and take pushes'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "store" -d 'Inspect, verify, compact and repair the store'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "rules" -d 'Check and test Prometheus rule files'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "alerts" -d 'Alerts of the rules evaluated on this store'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "dashboards" -d 'Grafana dashboards, as `argus serve --dashboards` shows them'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "conformance" -d 'Run query-language conformance scripts from the reference implementations'
complete -c argus -n "__fish_argus_using_subcommand help; and not __fish_seen_subcommand_from scrape ingest query export serve store rules alerts dashboards conformance help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from ingest" -f -a "logs" -d 'Store log lines from files or stdin as log streams'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "info" -d 'Series, samples, bytes on disk, bytes per sample, parts and time span; for logs, streams, entries, raw and stored bytes, compression ratio, parts and time span'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "cardinality" -d 'Which metric names, labels and label pairs hold the most series: which label exploded'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "check" -d 'Verify every checksum and invariant of every file; exit 5 when anything is damaged'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "compact" -d 'Merge all parts (metrics and logs) that can be merged and apply retention'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "repair" -d 'Set damaged parts aside and keep everything that still reads'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "check" -d 'Check rule files as `promtool check rules` does'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "test" -d 'Run promtool\'s rule unit-test files'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "eval" -d 'Evaluate rule groups once, now, against the store (for cron)'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "backfill" -d 'Evaluate recording rules over past data and store what they would have recorded'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "list" -d 'List the rule groups evaluated on this store: each rule\'s health, last error and evaluation time'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from alerts" -f -a "list" -d 'List the pending and firing alerts of every rule group evaluated on this store'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from alerts" -f -a "silence" -d 'Silences: mute the notifications of matching alerts for a while'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from dashboards" -f -a "check" -d 'Report the panels, variables, units, overrides and transformations of each dashboard that argus does not draw as Grafana does, and what the migration of an old schema changed'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from conformance" -f -a "promql" -d 'Run Prometheus\' promqltest scripts (*.test) against argus\' store and engine'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from conformance" -f -a "logql" -d 'Run Loki\'s LogQL corpora (parse_ok.txt, parse_err.txt, eval_err.txt) against argus\' LogQL parser, and its engine scripts (*.logqltest) against the LogQL evaluator'
complete -c argus -n "__fish_argus_using_subcommand help; and __fish_seen_subcommand_from conformance" -f -a "fuzz" -d 'Fuzz argus\' parsers and decoders of outside input with mutated inputs'
