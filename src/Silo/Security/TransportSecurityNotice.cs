using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DistTrain.Silo.Security;

/// <summary>Says at start-up whether the silo's ports need a certificate, and warns when a cluster spread over machines runs without TLS.</summary>
internal sealed partial class TransportSecurityNotice(ILogger<TransportSecurityNotice> logger, bool tls, bool multiMachine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (tls)
        {
            LogTls(logger);
        }
        else if (multiMachine)
        {
            LogPlainMultiMachine(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS with client certificates on the silo and gateway ports")]
    private static partial void LogTls(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis clustering without TLS: anyone who reaches the gateway port can start, stop and read every run, and silo traffic is plain text. Set DistTrain:Tls (see docs/SECURITY.md).")]
    private static partial void LogPlainMultiMachine(ILogger logger);
}
