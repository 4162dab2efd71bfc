"""`hph events`: the operator's view of the durable event log (topics, tail, lag, the dead-letter
store, replays), on the embedded data dir or Redis Streams. `arguments` holds the command line,
`run` the exit codes, `commands` what each command does."""
