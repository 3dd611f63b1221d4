-- A post in a forum or media channel is a thread whose starter message has the thread's id: the message
-- lives in the thread, not in the forum the subscription names, so edits and deletions of the post
-- (renamed or deleted clips, moments) need the thread. Null for messages in the channel itself.
ALTER TABLE "delivery_messages" ADD COLUMN "thread_id" TEXT;
