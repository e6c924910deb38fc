using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Appliance.Hosting.Identity;
using Microsoft.Extensions.DependencyInjection;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// The TOTP reset shows the new secret as a QR code, drawn on the server as inline SVG (no script, no image URL, so the
/// strict CSP holds), next to the otpauth:// text for copy and paste. The SVG is rasterised here and decoded with
/// ZXing.Net, an independent QR implementation: it must read back exactly the URI shown as text.
/// </summary>
public sealed partial class ConsoleTotpQrTests
{
    [Fact]
    public async Task The_TOTP_reset_shows_a_QR_code_that_decodes_to_the_otpauth_uri_shown_as_text()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var ivan = await ConsoleClient.LoginAsync(tailnet.Appliance, "ivan@site");

        var reset = await ivan.PostAsync("/admin/people/mia@site/totp");

        Assert.True(reset.Status == HttpStatusCode.OK, reset.Page);
        var text = WebUtility.HtmlDecode(UriText().Match(reset.Page).Groups[1].Value);
        var secret = tailnet.Appliance.Services.GetRequiredService<IdentityFileService>().Current.Find("mia@site")!.TotpSecret;
        Assert.StartsWith("otpauth://totp/", text, StringComparison.Ordinal);
        Assert.Contains("secret=" + secret, text, StringComparison.Ordinal);

        var svg = Svg().Match(reset.Page);
        Assert.True(svg.Success, reset.Page);
        Assert.DoesNotContain("style", svg.Value, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", svg.Value, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("role=\"img\"", svg.Value, StringComparison.Ordinal);
        Assert.Equal(text, Decode(svg.Value));

        // Shown once: the people page afterwards has neither the code nor the URI.
        var again = (await ivan.GetAsync("/admin/people")).Page;
        Assert.DoesNotContain("<svg", again, StringComparison.Ordinal);
        Assert.DoesNotContain(secret!, again, StringComparison.Ordinal);
    }

    /// <summary>Draws the SVG's module runs (M x y h n ...) at 4 pixels a module on white and decodes the picture.</summary>
    private static string Decode(string svg)
    {
        var box = ViewBox().Match(svg);
        var origin = int.Parse(box.Groups[1].Value, CultureInfo.InvariantCulture);
        var size = int.Parse(box.Groups[2].Value, CultureInfo.InvariantCulture);
        const int Scale = 4;
        var width = size * Scale;
        var pixels = new byte[width * width];
        Array.Fill(pixels, (byte)255);
        var runs = Runs().Matches(svg);
        Assert.NotEmpty(runs);
        foreach (Match run in runs)
        {
            var x = int.Parse(run.Groups[1].Value, CultureInfo.InvariantCulture) - origin;
            var y = int.Parse(run.Groups[2].Value, CultureInfo.InvariantCulture) - origin;
            var length = int.Parse(run.Groups[3].Value, CultureInfo.InvariantCulture);
            for (var py = y * Scale; py < (y + 1) * Scale; py++)
            {
                Array.Fill(pixels, (byte)0, (py * width) + (x * Scale), length * Scale);
            }
        }

        var source = new RGBLuminanceSource(pixels, width, width, RGBLuminanceSource.BitmapFormat.Gray8);
        var result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)));
        Assert.NotNull(result);
        return result.Text;
    }

    [GeneratedRegex("<figure id=\"new-totp-qr\" class=\"qr\">(<svg .*?</svg>)</figure>", RegexOptions.Singleline)]
    private static partial Regex Svg();

    [GeneratedRegex("viewBox=\"(-?\\d+) -?\\d+ (\\d+) \\d+\"")]
    private static partial Regex ViewBox();

    [GeneratedRegex("M(\\d+) (\\d+)h(\\d+)v1h-\\d+z")]
    private static partial Regex Runs();

    [GeneratedRegex("<code class=\"secret\" id=\"new-totp\">([^<]+)</code>")]
    private static partial Regex UriText();
}
