using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Appliance.Benchmarks;

/// <summary>
/// BenchmarkDotNet's ShortRun (1 launch, 3 warm-ups, 3 iterations) run in this process. The default toolchain
/// generates and builds a separate project per run, which on the shared 2-core build machine took longer than
/// BenchmarkDotNet's 2-minute build timeout, so nothing ran. Run these suites without `--job` (that would add a
/// second, out-of-process job): `dotnet run -c Release --project tests/Appliance.Benchmarks -- --filter '*Name*'`.
/// </summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
