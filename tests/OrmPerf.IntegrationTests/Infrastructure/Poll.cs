namespace OrmPerf.IntegrationTests.Infrastructure;

/// <summary>Reads a value until it is the expected one, for effects that arrive on their own (a pub/sub message, a recovered server).</summary>
internal static class Poll
{
    /// <summary>
    /// Returns the expected value as soon as it is read, or the last value read when <paramref name="timeout"/>
    /// (default 10 s) has passed, for the caller to assert.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<ValueTask<T>> read, T expected, TimeSpan? timeout = null)
    {
        // Generous for a loaded CI machine; a healthy run returns in milliseconds.
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await read();
            if (EqualityComparer<T>.Default.Equals(value, expected) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(20);
        }
    }
}
