using Appliance.Hosting.Health;

namespace Appliance.Hosting.Tests.Health;

public class ReadinessStateTests
{
    [Fact]
    public void A_new_process_is_starting_until_marked_ready()
    {
        var state = new ReadinessState();
        Assert.Equal(ReadinessPhase.Starting, state.Phase);

        state.MarkReady();

        Assert.True(state.IsReady);
    }

    [Fact]
    public void Once_stopping_the_process_never_becomes_ready_again()
    {
        var state = new ReadinessState();
        state.MarkStopping();

        state.MarkReady();

        Assert.Equal(ReadinessPhase.Stopping, state.Phase);
    }
}
