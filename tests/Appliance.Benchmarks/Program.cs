using BenchmarkDotNet.Running;

// Every suite in this assembly; pick with --filter, e.g. `--filter '*Noise*'`. See docs/benchmarks.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
