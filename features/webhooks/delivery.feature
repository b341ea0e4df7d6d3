@webhooks
Feature: Webhooks the partner receives
  Solaris tells the partner about changes through webhooks: signed with the subscription's
  secret, delivered again while the partner's endpoint fails, and never delivered twice
  without the partner being able to tell (the same Solaris-Webhook-Id on every attempt).

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer is registered as a person

  Scenario: A webhook is signed with the subscription's secret and names what it is about
    When the partner starts a video identification with IDnow in "DE"
    And the partner requests the video identification
    Then within 5 seconds the partner receives an IDENTIFICATION webhook for the customer whose "status" is "pending"
    And the webhook is signed with the subscription's secret
    And the webhook is about the identification
    And the webhook's Solaris-Webhook-Event-Type header is "IDENTIFICATION"
    And the webhook's Solaris-Webhook-Attempt header is "1"

  @simulation @serial
  Scenario: A failing endpoint gets the same webhook again, the attempt counter rising
    Given the partner's webhook endpoint answers 503 to webhooks about the customer
    When the partner starts a video identification with IDnow in "DE"
    And the partner requests the video identification
    Then within 5 seconds the partner's endpoint has been sent the IDENTIFICATION webhook for the customer 1 time
    When 1 minute passes
    Then within 5 seconds the partner's endpoint has been sent the IDENTIFICATION webhook for the customer 2 times
    When the partner's webhook endpoint recovers
    And 2 minutes pass
    Then within 5 seconds the partner receives an IDENTIFICATION webhook for the customer whose "status" is "pending"
    And the webhook's Solaris-Webhook-Attempt header is "3"
    And every IDENTIFICATION webhook for the customer carried the same Solaris-Webhook-Id, with Solaris-Webhook-Attempt counting up from 1

  @simulation @serial
  Scenario: An endpoint that answers 422 gets that webhook no more
    Given the partner's webhook endpoint answers 422 to webhooks about the customer
    When the partner starts a video identification with IDnow in "DE"
    And the partner requests the video identification
    Then within 5 seconds the partner's endpoint has been sent the IDENTIFICATION webhook for the customer 1 time
    When 1 day passes
    Then the partner's endpoint has still been sent the IDENTIFICATION webhook for the customer 1 time

  @simulation @serial
  Scenario: An endpoint that answers 410 ends the subscription
    Given the partner's webhook endpoint answers 410 to webhooks about the customer
    When the customer's due diligence is set to "SCREENED_ACCEPTED", "NORMAL_RISK" and "NO_MATCH"
    Then within 5 seconds the partner's endpoint has been sent the PERSON_CHANGED webhook for the customer 1 time
    And within 5 seconds the subscription to PERSON_CHANGED webhooks has ended
    When the customer's due diligence is set to "SCREENED_ACCEPTED", "RISK_ACCEPTED" and "NO_MATCH"
    Then the partner's endpoint has still been sent the PERSON_CHANGED webhook for the customer 1 time
    When the partner subscribes to PERSON_CHANGED webhooks again
    And the partner's webhook endpoint recovers
    And the customer's due diligence is set to "SCREENED_ACCEPTED", "NORMAL_RISK" and "NO_MATCH"
    Then within 5 seconds the partner receives a PERSON_CHANGED webhook for the customer
    And the webhook is about the person
