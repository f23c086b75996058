/**
 * The entry of the log writer's worker thread (started by log-writer.ts): opens its own connection
 * to `log.db`, and for each `append` message commits the records in one transaction and answers
 * `appended` (or `failed` with the error) only after the commit returned — with
 * INLET_DURABILITY=fsync, after SQLite's fsync. Messages are handled one at a time, in order, so
 * seqs follow the order in which the request thread posted its group commits. `close` closes the
 * connection and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { nameThisThread } from '../core/thread-priority.js'
import { postedError } from '../core/worker-thread.js'
import { openSqliteLogAppender } from '../store/sqlite/sqlite-store.js'
import {
  unpackBatch,
  type FromLogWriter,
  type LogWriterData,
  type ToLogWriter,
} from './log-writer.js'

const port = parentPort
if (port === null) throw new Error('log writer: started outside a worker thread')
nameThisThread('inlet-log')
const data = workerData as LogWriterData // posted by startLogWriterWorker
const appender = openSqliteLogAppender(data.dataDir, data.durability)
const post = (message: FromLogWriter): void => port.postMessage(message)

post({ type: 'ready' })
port.on('message', (message: ToLogWriter) => {
  if (message.type === 'close') {
    appender.close()
    port.close()
    return
  }
  try {
    appender.append(unpackBatch(message.batch))
    post({ type: 'appended', id: message.id })
  } catch (err) {
    // SQLITE_FULL, SQLITE_IOERR…: the request thread answers 503 store_unavailable for these
    post({ type: 'failed', id: message.id, ...postedError(err) })
  }
})
