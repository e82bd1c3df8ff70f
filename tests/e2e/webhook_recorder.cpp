// The person at the end of the e2e test's pager: an HTTP server on 127.0.0.1 that appends every
// POSTed body (Alertmanager's webhook notification, one JSON document) to a file, one line each:
//   {"received_ms":<wall clock, ms since the epoch>,"path":"<request path>","notification":<body>}
// and answers 200. GET answers 200 "ready", so the test can wait for it. The body is copied as it
// came: a body that is no JSON document makes a line the test's jq skips.
//
// Usage: webhook_recorder PORT FILE   (runs until SIGTERM or SIGINT)
#include <civetweb.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>

namespace {

struct Recorder {
  std::mutex mutex;
  std::ofstream out;
};

void reply(mg_connection* connection, int status, const std::string& body) {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n%s",
            status, mg_get_response_code_text(connection, status), body.size(), body.c_str());
}

int handle(mg_connection* connection, void* data) {
  auto& recorder = *static_cast<Recorder*>(data);
  const mg_request_info* request = mg_get_request_info(connection);
  const std::string method = request->request_method != nullptr ? request->request_method : "";
  if (method == "GET") {
    reply(connection, 200, "ready\n");
    return 200;
  }
  if (method != "POST") {
    reply(connection, 405, "POST or GET\n");
    return 405;
  }
  std::string body;
  char buffer[8192];
  int n = 0;
  while ((n = mg_read(connection, buffer, sizeof buffer)) > 0)
    body.append(buffer, static_cast<std::size_t>(n));
  // One notification, one line: a JSON document holds no raw newline outside strings, and
  // Alertmanager's holds none at all; this keeps it so should one ever be pretty-printed.
  std::replace(body.begin(), body.end(), '\n', ' ');
  const auto received_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  // The path is the receiver's name in the test's URLs: letters, digits and dashes, no quoting.
  std::string path = request->local_uri != nullptr ? request->local_uri : "";
  std::erase_if(
      path, [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; });
  {
    const std::lock_guard lock(recorder.mutex);
    recorder.out << R"({"received_ms":)" << received_ms << R"(,"path":")" << path
                 << R"(","notification":)" << body << "}\n";
    recorder.out.flush();
  }
  reply(connection, 200, "recorded\n");
  return 200;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: webhook_recorder PORT FILE\n";
    return 2;
  }
  const std::string listen = std::string("127.0.0.1:") + argv[1];
  Recorder recorder;
  recorder.out.open(argv[2], std::ios::app);
  if (!recorder.out) {
    std::cerr << "webhook_recorder: cannot open " << argv[2] << '\n';
    return 1;
  }

  // Block the stop signals before civetweb starts its threads, so only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const char* options[] = {"listening_ports", listen.c_str(), "num_threads", "2", nullptr};
  mg_init_library(0);
  mg_context* context = mg_start(nullptr, nullptr, options);
  if (context == nullptr) {
    std::cerr << "webhook_recorder: cannot listen on " << listen << '\n';
    return 1;
  }
  mg_set_request_handler(context, "/", handle, &recorder);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  mg_stop(context);
  mg_exit_library();
  return 0;
}
