using Appliance.Cli;

// The single-file executable: every verb, including `serve`, is a CLI command (see Cli/).
return await ApplianceCli.RunAsync(args).ConfigureAwait(false);
