using NpgsqlTypes;
using OrmPerf.Routing.Consistency;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>The text form of a consistency token, as a cookie or header carries it.</summary>
public sealed class ConsistencyTokenTests
{
    [Fact]
    public void A_token_survives_its_text_form()
    {
        var token = new ConsistencyToken(NpgsqlLogSequenceNumber.Parse("16/B374D848"), DateTimeOffset.FromUnixTimeMilliseconds(1_732_456_000_123));

        var text = token.ToString();

        Assert.Equal("v1:16/B374D848:1732456000123", text);
        Assert.Equal(token, ConsistencyToken.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1:16/B374D848")]
    [InlineData("v2:16/B374D848:1")]
    [InlineData("v1:not-an-lsn:1")]
    [InlineData("v1:16/B374D848:-5")]
    [InlineData("v1:16/B374D848:1:extra")]
    public void Parsing_something_else_names_it_and_the_expected_form(string text)
    {
        var error = Assert.Throws<FormatException>(() => ConsistencyToken.Parse(text));

        Assert.Contains($"'{text}' is not a consistency token", error.Message);
        Assert.Contains("expected 'v1:<WAL position like 0/16B3748>:<unix milliseconds>'", error.Message);
        Assert.False(ConsistencyToken.TryParse(text, out _));
    }

    [Fact]
    public void The_later_of_two_tokens_honours_both()
    {
        var early = new ConsistencyToken(NpgsqlLogSequenceNumber.Parse("0/10"), DateTimeOffset.FromUnixTimeMilliseconds(2000));
        var late = new ConsistencyToken(NpgsqlLogSequenceNumber.Parse("0/20"), DateTimeOffset.FromUnixTimeMilliseconds(1000));

        var max = ConsistencyToken.Max(early, late);

        Assert.Equal(NpgsqlLogSequenceNumber.Parse("0/20"), max.WalPosition);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(2000), max.WrittenAt);
    }
}
