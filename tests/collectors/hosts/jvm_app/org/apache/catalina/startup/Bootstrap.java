// A stand-in for a product's Tomcat, started by the host tests: the same main class as Jira's and
// Confluence's Tomcat, so discovery finds it by command line exactly as it would find the real one.
// It makes two threads deadlock on each other's monitors and keeps a request thread stuck in one
// method, so thread dumps taken seconds apart show both.
package org.apache.catalina.startup;

public final class Bootstrap {
    private static final Object FIRST = new Object();
    private static final Object SECOND = new Object();
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        start("lock-holder-a", FIRST, SECOND);
        start("lock-holder-b", SECOND, FIRST);
        Thread stuck = new Thread(Bootstrap::spin, "http-nio-8080-exec-7");
        stuck.setDaemon(true);
        stuck.start();
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void start(String name, Object mine, Object theirs) {
        Thread thread = new Thread(() -> {
            synchronized (mine) {
                pause();
                synchronized (theirs) {
                    sink++;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void pause() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // A request that never finishes: busy in one method, as a runaway regex or loop would be.
    static void spin() {
        long x = 1;
        while (true) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            sink = x;
        }
    }
}
