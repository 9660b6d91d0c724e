/*
 * Starts DynamoDB Local bound to 127.0.0.1 only.
 *
 * The jar's command line has no bind-address option: its DynamoDBProxyServer builds a Jetty
 * `new Server(port)`, whose one connector listens on every interface, and DynamoDB Local accepts
 * any credentials, so anyone who could reach the machine could read every tenant's data. This
 * launcher builds the server through the jar's own entry point (same arguments as the command
 * line), sets the host of each Jetty connector to the loopback address before it starts, and then
 * checks what was really bound. Anything unexpected ends the process with status 3; the Node side
 * (dynamodbLocal.ts) waits for the READY line below and never falls back to the plain command line.
 *
 * Run as a single-file source program: java -cp DynamoDBLocal.jar:DynamoDBLocal_lib/* this.java ARGS
 */
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  static final String LOOPBACK = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    Connector[] connectors = jetty.getConnectors();
    if (connectors.length == 0) fail("the server has no connector to bind");
    for (Connector c : connectors) {
      if (!(c instanceof ServerConnector)) fail("unexpected connector " + c.getClass().getName());
      ((ServerConnector) c).setHost(LOOPBACK);
    }
    proxy.start();
    for (Connector c : jetty.getConnectors()) {
      ServerConnector sc = (ServerConnector) c;
      if (!LOOPBACK.equals(sc.getHost())) {
        proxy.stop();
        fail("a connector is bound to " + sc.getHost());
      }
      System.out.println("READY " + LOOPBACK + ":" + sc.getLocalPort());
    }
    System.out.flush();
    proxy.join();
  }

  static void fail(String why) {
    System.err.println("LoopbackDynamoDbLocal: " + why + "; refusing to run");
    System.exit(3);
  }
}
