// Runs the codelibs OpenSearch runner like its own main does, but with the ingest role:
// the runner's command line gives a node only [master, data], and EduSentry's ingest
// pipeline (event.ingested) needs an ingest node. Started by node.sh in source-file mode.
import org.codelibs.opensearch.runner.OpenSearchRunner;

public class EduNode {
    public static void main(final String[] args) throws Exception {
        final OpenSearchRunner runner = new OpenSearchRunner();
        runner.onBuild((id, settings) -> settings.putList("node.roles", "cluster_manager", "data", "ingest"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println("close failed: " + e);
            }
        }));
        try {
            runner.build(args);
        } catch (final Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }
}
