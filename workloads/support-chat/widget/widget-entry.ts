/// <reference lib="dom" />
import { mountSupportChat } from './support-chat-widget';

/*
 * The bundle's entry: a page embeds the widget with one script and mounts it where it wants it:
 *   <script src="support-chat-widget.js"></script>
 *   SupportChatWidget.mount(element, { url: 'wss://…/live', getToken: async () => idToken })
 */
(globalThis as unknown as { SupportChatWidget: { mount: typeof mountSupportChat } }).SupportChatWidget = { mount: mountSupportChat };
