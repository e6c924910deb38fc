using Appliance.BundleTool.Cli;

// `appliance-bundle`: runs on the offline signing station. Every verb is in Cli/.
return await BundleToolCli.RunAsync(args).ConfigureAwait(false);
