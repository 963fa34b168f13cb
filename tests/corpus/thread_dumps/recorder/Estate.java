import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;

/** A JVM shaped like a busy product node: request threads, a stuck search, a deadlock, a child process. */
public class Estate {
    static final Object A = new Object(), B = new Object();
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tomcat = r -> { Thread t = new Thread(r, "http-nio-8080-exec-" + n.incrementAndGet()); t.setDaemon(true); return t; };
        ExecutorService http = Executors.newFixedThreadPool(4, tomcat);
        http.submit(Estate::spin);                  // a request stuck in a loop
        http.submit(() -> { try { Thread.sleep(600_000); } catch (InterruptedException e) { } });
        for (int i = 0; i < 2; i++) http.submit(() -> { });  // two idle workers
        new Thread(() -> lock(A, B), "cache-loader-1").start();
        new Thread(() -> lock(B, A), "cache-loader-2").start();
        Process child = new ProcessBuilder("sleep", "600").start();  // the JVM starts a process reaper
        if (args.length > 0) virtualThreads();
        child.waitFor();
    }

    static void spin() { while (true) { sink += System.nanoTime() % 7; } }

    static void lock(Object first, Object second) {
        synchronized (first) {
            try { Thread.sleep(200); } catch (InterruptedException e) { }
            synchronized (second) { sink++; }
        }
    }

    static void virtualThreads() throws Exception {
        ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < 3; i++) vts.submit(() -> { Thread.sleep(600_000); return null; });
        vts.submit(Estate::spin);  // one stays mounted on its carrier
    }
}
